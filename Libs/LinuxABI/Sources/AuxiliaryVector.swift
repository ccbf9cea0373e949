/// The auxiliary vector's entry types a static program reads at start-up (Linux's
/// `include/uapi/linux/auxvec.h`, the x86-64 psABI §3.4.3).
public enum AuxiliaryType: UInt64, Sendable, CaseIterable {
    case end = 0
    case programHeaders = 3
    case programHeaderSize = 4
    case programHeaderCount = 5
    case pageSize = 6
    case interpreterBase = 7
    case flags = 8
    case entry = 9
    case userID = 11
    case effectiveUserID = 12
    case groupID = 13
    case effectiveGroupID = 14
    case platform = 15
    case hardwareCapabilities = 16
    case clockTicks = 17
    case secure = 23
    case random = 25
    case hardwareCapabilities2 = 26
    case executableName = 31
    case minimumSignalStackSize = 51
}

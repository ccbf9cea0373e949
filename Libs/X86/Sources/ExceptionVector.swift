/// The architecturally defined exception vectors 0–31 (SDM Vol. 3A §6.3.1, Table 6-1).
public enum ExceptionVector: UInt8, Sendable {
    case divideError = 0, debug = 1, nonMaskableInterrupt = 2, breakpoint = 3
    case overflow = 4, boundRangeExceeded = 5, invalidOpcode = 6, deviceNotAvailable = 7
    case doubleFault = 8, coprocessorSegmentOverrun = 9, invalidTSS = 10, segmentNotPresent = 11
    case stackSegmentFault = 12, generalProtection = 13, pageFault = 14
    case x87FloatingPoint = 16, alignmentCheck = 17, machineCheck = 18, simdFloatingPoint = 19
    case virtualization = 20, controlProtection = 21, hypervisorInjection = 28
    case vmmCommunication = 29, security = 30

    /// The SDM's name and mnemonic, e.g. "page fault (#PF)".
    public var name: StaticString {
        switch self {
        case .divideError: "divide error (#DE)"
        case .debug: "debug (#DB)"
        case .nonMaskableInterrupt: "non-maskable interrupt (NMI)"
        case .breakpoint: "breakpoint (#BP)"
        case .overflow: "overflow (#OF)"
        case .boundRangeExceeded: "bound range exceeded (#BR)"
        case .invalidOpcode: "invalid opcode (#UD)"
        case .deviceNotAvailable: "device not available (#NM)"
        case .doubleFault: "double fault (#DF)"
        case .coprocessorSegmentOverrun: "coprocessor segment overrun"
        case .invalidTSS: "invalid TSS (#TS)"
        case .segmentNotPresent: "segment not present (#NP)"
        case .stackSegmentFault: "stack-segment fault (#SS)"
        case .generalProtection: "general protection fault (#GP)"
        case .pageFault: "page fault (#PF)"
        case .x87FloatingPoint: "x87 floating-point error (#MF)"
        case .alignmentCheck: "alignment check (#AC)"
        case .machineCheck: "machine check (#MC)"
        case .simdFloatingPoint: "SIMD floating-point exception (#XM)"
        case .virtualization: "virtualization exception (#VE)"
        case .controlProtection: "control protection exception (#CP)"
        case .hypervisorInjection: "hypervisor injection exception (#HV)"
        case .vmmCommunication: "VMM communication exception (#VC)"
        case .security: "security exception (#SX)"
        }
    }

    /// Whether the CPU pushes an error code for this exception.
    public var hasErrorCode: Bool {
        switch self {
        case .doubleFault, .invalidTSS, .segmentNotPresent, .stackSegmentFault,
             .generalProtection, .pageFault, .alignmentCheck, .controlProtection,
             .vmmCommunication, .security: true
        default: false
        }
    }
}

/// The bits of a page-fault error code (SDM Vol. 3A §4.7).
public struct PageFaultErrorCode: OptionSet, Sendable {
    /// The raw bits (a plain value: no bit pattern is invalid).
    public let rawValue: UInt64
    /// The value with raw bits `rawValue` (any bits make a valid value).
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Set: protection violation on a present page. Clear: the page was not present.
    public static let present = PageFaultErrorCode(rawValue: 1 << 0)
    /// Set: the access was a write.
    public static let write = PageFaultErrorCode(rawValue: 1 << 1)
    /// Set: the access came from user mode.
    public static let user = PageFaultErrorCode(rawValue: 1 << 2)
    /// Set: a reserved bit was set in a paging structure.
    public static let reservedBit = PageFaultErrorCode(rawValue: 1 << 3)
    /// Set: the access was an instruction fetch.
    public static let instructionFetch = PageFaultErrorCode(rawValue: 1 << 4)

    /// A one-line description such as "write to a non-present page, supervisor".
    public var summary: StaticString {
        if contains(.reservedBit) { return "reserved bit set in a page-table entry" }
        if contains(.instructionFetch) {
            return contains(.present) ? "instruction fetch from a no-execute page" : "instruction fetch from a non-present page"
        }
        if contains(.write) {
            return contains(.present) ? "write to a read-only page" : "write to a non-present page"
        }
        return contains(.present) ? "read violating page protection" : "read from a non-present page"
    }
}

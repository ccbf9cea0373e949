/// One ELF64 program header (System V gABI, "Program Header"): a segment of the file and
/// where it goes in memory.
public struct ELFProgramHeader: Sendable, Equatable {
    public static let load: UInt32 = 1
    public static let dynamic: UInt32 = 2
    public static let interpreter: UInt32 = 3
    public static let programHeaderTable: UInt32 = 6
    public static let threadLocalStorage: UInt32 = 7
    public static let gnuStack: UInt32 = 0x6474_E551
    public static let gnuRelocationReadOnly: UInt32 = 0x6474_E552

    /// Segment permissions (`p_flags`).
    public struct Permissions: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let execute = Permissions(rawValue: 1)
        public static let write = Permissions(rawValue: 2)
        public static let read = Permissions(rawValue: 4)
    }

    public var type: UInt32
    public var permissions: Permissions
    public var fileOffset: UInt64
    public var address: UInt64
    /// `p_paddr`: where a boot loader puts the segment in physical memory (kernel images).
    public var physicalAddress: UInt64
    public var fileSize: UInt64
    public var memorySize: UInt64
    public var alignment: UInt64

    public init(type: UInt32, permissions: Permissions, fileOffset: UInt64, address: UInt64, physicalAddress: UInt64,
                fileSize: UInt64, memorySize: UInt64, alignment: UInt64) {
        self.type = type
        self.permissions = permissions
        self.fileOffset = fileOffset
        self.address = address
        self.physicalAddress = physicalAddress
        self.fileSize = fileSize
        self.memorySize = memorySize
        self.alignment = alignment
    }

    /// The first address past the segment in memory, or nil if that overflows.
    public var end: UInt64? {
        let (end, overflow) = address.addingReportingOverflow(memorySize)
        return overflow ? nil : end
    }
}

/// An ELF64 file for x86-64 (System V gABI and the x86-64 psABI), read from its bytes: the
/// file header and the program header table.
///
/// Guarantees: parsing is total — any bytes give either a file whose header is ELF64
/// little-endian version 1 for x86-64, of type ET_EXEC or ET_DYN, with a program header table
/// of 1 to ``maximumProgramHeaders`` entries of 56 bytes lying wholly inside the file, or an
/// ``ELFError`` naming what is wrong. No field is read outside the bytes and no arithmetic on
/// a field can trap. What the segments say is checked by ``StaticExecutable``. The file may
/// be a range of a larger array (a member of the initrd's archive): it is read in place,
/// never copied.
public struct ELFFile: Sendable {
    public static let machineX86_64: UInt16 = 62
    public static let typeExecutable: UInt16 = 2
    public static let typeShared: UInt16 = 3
    /// More program headers than any real executable has (a static Swift program has 10).
    public static let maximumProgramHeaders = 128
    static let programHeaderSize: UInt64 = 56

    /// The array the file lies in, and where: the file is `storage[offset ..< offset + count]`.
    public let storage: [UInt8]
    public let offset: Int
    public let count: Int
    /// The file's bytes (a view of ``storage``; its indices are the storage's).
    public var bytes: ArraySlice<UInt8> { storage[offset..<(offset + count)] }
    /// ET_EXEC (fixed addresses) or ET_DYN (position independent).
    public let type: UInt16
    /// The entry point, as linked.
    public let entry: UInt64
    /// Where the program header table lies in the file.
    public let programHeaderOffset: UInt64
    public let programHeaders: [ELFProgramHeader]

    /// Parses the whole of `bytes`.
    public init(parsing bytes: [UInt8]) throws(ELFError) {
        try self.init(parsing: bytes, range: 0..<bytes.count)
    }

    /// Parses the file that is `range` of `storage` (a range reaching outside it is
    /// ``ELFError/truncated``).
    public init(parsing storage: [UInt8], range: Range<Int>) throws(ELFError) {
        guard range.lowerBound >= 0, range.upperBound <= storage.count else { throw .truncated }
        let reader = LittleEndianReader(bytes: storage, base: range.lowerBound, count: range.count)
        guard let magic = reader.u32(0), magic == 0x464C_457F else { throw .notELF }
        guard range.count >= 64 else { throw .truncated }
        guard let format = reader.integer(at: 4, size: 3), format == 0x01_01_02, reader.u32(20) == 1 else { throw .unsupportedFormat }
        guard let type = reader.u16(16), let machine = reader.u16(18), let entry = reader.u64(24),
              let tableOffset = reader.u64(32), let entrySize = reader.u16(54), let headerCount = reader.u16(56) else { throw .truncated }
        guard machine == ELFFile.machineX86_64 else { throw .wrongMachine(machine) }
        guard type == ELFFile.typeExecutable || type == ELFFile.typeShared else { throw .notExecutable(type) }
        guard UInt64(entrySize) == ELFFile.programHeaderSize, headerCount >= 1, Int(headerCount) <= ELFFile.maximumProgramHeaders else {
            throw .badProgramHeaders
        }
        let (tableSize, _) = UInt64(headerCount).multipliedReportingOverflow(by: ELFFile.programHeaderSize)
        let (tableEnd, overflow) = tableOffset.addingReportingOverflow(tableSize)
        guard !overflow, tableEnd <= UInt64(range.count) else { throw .truncated }
        var headers: [ELFProgramHeader] = []
        for index in 0..<UInt64(headerCount) {
            let at = tableOffset + index * ELFFile.programHeaderSize
            guard let kind = reader.u32(at), let flags = reader.u32(at + 4), let offset = reader.u64(at + 8),
                  let address = reader.u64(at + 16), let physical = reader.u64(at + 24), let fileSize = reader.u64(at + 32), let memorySize = reader.u64(at + 40),
                  let alignment = reader.u64(at + 48) else { throw .truncated }
            headers.append(ELFProgramHeader(type: kind, permissions: .init(rawValue: flags & 7), fileOffset: offset, address: address,
                                            physicalAddress: physical, fileSize: fileSize, memorySize: memorySize, alignment: alignment))
        }
        self.storage = storage
        self.offset = range.lowerBound
        self.count = range.count
        self.type = type
        self.entry = entry
        programHeaderOffset = tableOffset
        programHeaders = headers
    }
}

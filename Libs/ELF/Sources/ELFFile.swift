/// An ELF64 file for x86-64 (System V gABI and the x86-64 psABI), read from its bytes: the
/// file header and the program header table.
///
/// Guarantees: parsing is total — any bytes give either a file whose header is ELF64
/// little-endian version 1 for x86-64, of type ET_EXEC or ET_DYN, with a program header table
/// of 1 to ``maximumProgramHeaders`` entries of 56 bytes lying wholly inside the file, or an
/// ``ELFError`` naming what is wrong. No field is read outside the bytes and no arithmetic on
/// a field can trap. What the segments say is checked by ``StaticExecutable``.
public struct ELFFile: Sendable {
    public static let machineX86_64: UInt16 = 62
    public static let typeExecutable: UInt16 = 2
    public static let typeShared: UInt16 = 3
    /// More program headers than any real executable has (a static Swift program has 10).
    public static let maximumProgramHeaders = 128
    static let programHeaderSize: UInt64 = 56

    public let bytes: [UInt8]
    /// ET_EXEC (fixed addresses) or ET_DYN (position independent).
    public let type: UInt16
    /// The entry point, as linked.
    public let entry: UInt64
    /// Where the program header table lies in the file.
    public let programHeaderOffset: UInt64
    public let programHeaders: [ELFProgramHeader]

    public init(parsing bytes: [UInt8]) throws(ELFError) {
        let reader = LittleEndianReader(bytes: bytes)
        guard bytes.count >= 4, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else { throw .notELF }
        guard bytes.count >= 64 else { throw .truncated }
        guard bytes[4] == 2, bytes[5] == 1, bytes[6] == 1, reader.u32(20) == 1 else { throw .unsupportedFormat }
        guard let type = reader.u16(16), let machine = reader.u16(18), let entry = reader.u64(24),
              let tableOffset = reader.u64(32), let entrySize = reader.u16(54), let count = reader.u16(56) else { throw .truncated }
        guard machine == ELFFile.machineX86_64 else { throw .wrongMachine(machine) }
        guard type == ELFFile.typeExecutable || type == ELFFile.typeShared else { throw .notExecutable(type) }
        guard UInt64(entrySize) == ELFFile.programHeaderSize, count >= 1, Int(count) <= ELFFile.maximumProgramHeaders else {
            throw .badProgramHeaders
        }
        let (tableSize, _) = UInt64(count).multipliedReportingOverflow(by: ELFFile.programHeaderSize)
        let (tableEnd, overflow) = tableOffset.addingReportingOverflow(tableSize)
        guard !overflow, tableEnd <= UInt64(bytes.count) else { throw .truncated }
        var headers: [ELFProgramHeader] = []
        for index in 0..<UInt64(count) {
            let at = tableOffset + index * ELFFile.programHeaderSize
            guard let kind = reader.u32(at), let flags = reader.u32(at + 4), let offset = reader.u64(at + 8),
                  let address = reader.u64(at + 16), let physical = reader.u64(at + 24), let fileSize = reader.u64(at + 32), let memorySize = reader.u64(at + 40),
                  let alignment = reader.u64(at + 48) else { throw .truncated }
            headers.append(ELFProgramHeader(type: kind, permissions: .init(rawValue: flags & 7), fileOffset: offset, address: address,
                                            physicalAddress: physical, fileSize: fileSize, memorySize: memorySize, alignment: alignment))
        }
        self.bytes = bytes
        self.type = type
        self.entry = entry
        programHeaderOffset = tableOffset
        programHeaders = headers
    }
}

/// A newc cpio archive (the initrd format Linux unpacks), read in place: each member's path,
/// mode and where its data lies, without copying the data.
///
/// Guarantees: parsing is total — any bytes give either the members up to the `TRAILER!!!`
/// member, each with a header of 13 eight-digit hexadecimal fields, a NUL-terminated name of
/// 1 to ``maximumNameLength`` bytes and data wholly inside the bytes, or a ``CPIOError`` with
/// the offset at fault. At most ``maximumMembers`` members are read.
public struct CPIOReader: Sendable {
    /// One member: its path (a leading `./` or `/` removed), its mode (file type and
    /// permission bits), and its data's byte range in the archive.
    public struct Member: Sendable, Equatable {
        public let path: String
        public let mode: UInt32
        public let data: Range<Int>

        public static let typeMask: UInt32 = 0o170000
        public var isRegularFile: Bool { mode & Member.typeMask == 0o100000 }
        public var isDirectory: Bool { mode & Member.typeMask == 0o040000 }
    }

    public static let maximumMembers = 65_536
    public static let maximumNameLength = 4096
    static let headerSize = 110

    public let bytes: [UInt8]
    public let members: [Member]

    public init(parsing bytes: [UInt8]) throws(CPIOError) {
        var members: [Member] = []
        var offset = 0
        while true {
            guard offset < bytes.count else { throw .noTrailer }
            guard bytes.count - offset >= CPIOReader.headerSize else { throw .truncated(offset: offset) }
            let magic = Array(bytes[offset..<(offset + 6)])
            guard magic == Array("070701".utf8) || magic == Array("070702".utf8) else { throw .badMagic(offset: offset) }
            var fields: [UInt32] = []
            for index in 0..<13 {
                guard let field = CPIOReader.hexadecimal(bytes, at: offset + 6 + 8 * index) else { throw .badHeader(offset: offset) }
                fields.append(field)
            }
            let mode = fields[1], fileSize = Int(fields[6]), nameSize = Int(fields[11])
            guard nameSize >= 1, nameSize <= CPIOReader.maximumNameLength else { throw .badHeader(offset: offset) }
            let nameStart = offset + CPIOReader.headerSize
            guard bytes.count - nameStart >= nameSize else { throw .truncated(offset: offset) }
            guard bytes[nameStart + nameSize - 1] == 0 else { throw .badHeader(offset: offset) }
            let name = String(decoding: bytes[nameStart..<(nameStart + nameSize - 1)], as: UTF8.self)
            let dataStart = CPIOReader.aligned(nameStart + nameSize)
            guard dataStart <= bytes.count, bytes.count - dataStart >= fileSize else { throw .truncated(offset: offset) }
            if name == "TRAILER!!!" { break }
            guard members.count < CPIOReader.maximumMembers else { throw .tooManyMembers }
            members.append(Member(path: CPIOReader.normalized(name), mode: mode, data: dataStart..<(dataStart + fileSize)))
            offset = CPIOReader.aligned(dataStart + fileSize)
        }
        self.bytes = bytes
        self.members = members
    }

    /// The member at `path` (leading `./` or `/` ignored), if the archive has it.
    public func member(_ path: String) -> Member? {
        let wanted = CPIOReader.normalized(path)
        return members.first { $0.path == wanted }
    }

    /// A member's data.
    public func contents(of member: Member) -> ArraySlice<UInt8> { bytes[member.data] }

    /// Eight hexadecimal digits at `offset` (the caller checked they are in bounds).
    static func hexadecimal(_ bytes: [UInt8], at offset: Int) -> UInt32? {
        var value: UInt32 = 0
        for byte in bytes[offset..<(offset + 8)] {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    static func aligned(_ offset: Int) -> Int { (offset + 3) & ~3 }

    static func normalized(_ path: String) -> String {
        var path = Substring(path)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        while path.hasPrefix("/") { path = path.dropFirst() }
        return String(path)
    }
}

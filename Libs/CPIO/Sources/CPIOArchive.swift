/// A cpio archive in the "newc" format (ASCII headers, magic `070701`), the format Linux
/// unpacks as its initial RAM disk.
///
/// Guarantees: every header field is eight hexadecimal digits; names are NUL-terminated and
/// padded, like file data, to a multiple of four bytes; the archive ends with the
/// `TRAILER!!!` entry. Files need no root privileges to describe device nodes.
public struct CPIOArchive: Sendable {
    /// One entry: a directory, a regular file, a character device or a symbolic link.
    public enum Entry: Sendable, Equatable {
        case directory(path: String, mode: UInt32)
        case file(path: String, mode: UInt32, contents: [UInt8])
        case characterDevice(path: String, mode: UInt32, major: UInt32, minor: UInt32)
        /// A link whose data is its target, as Linux's initramfs unpacker expects.
        case symbolicLink(path: String, target: String)
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func append(_ entry: Entry) { entries.append(entry) }

    /// The archive's bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        var inode: UInt32 = 1
        for entry in entries {
            switch entry {
            case .directory(let path, let mode):
                Self.write(&out, name: path, inode: inode, mode: 0o040000 | mode, links: 2, data: [])
            case .file(let path, let mode, let contents):
                Self.write(&out, name: path, inode: inode, mode: 0o100000 | mode, links: 1, data: contents)
            case .characterDevice(let path, let mode, let major, let minor):
                Self.write(&out, name: path, inode: inode, mode: 0o020000 | mode, links: 1, data: [],
                           deviceMajor: major, deviceMinor: minor)
            case .symbolicLink(let path, let target):
                Self.write(&out, name: path, inode: inode, mode: 0o120000 | 0o777, links: 1, data: Array(target.utf8))
            }
            inode += 1
        }
        Self.write(&out, name: "TRAILER!!!", inode: 0, mode: 0, links: 1, data: [])
        return out
    }

    static func write(_ out: inout [UInt8], name: String, inode: UInt32, mode: UInt32, links: UInt32, data: [UInt8],
                      deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0) {
        let nameBytes = Array(name.utf8) + [0]
        // c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize c_devmajor c_devminor
        // c_rdevmajor c_rdevminor c_namesize c_check
        let fields: [UInt32] = [inode, mode, 0, 0, links, 0, UInt32(data.count), 0, 0,
                                deviceMajor, deviceMinor, UInt32(nameBytes.count), 0]
        out += Array("070701".utf8)
        for field in fields {
            let digits = String(field, radix: 16, uppercase: true)
            out += Array((String(repeating: "0", count: 8 - digits.count) + digits).utf8)
        }
        out += nameBytes
        pad(&out)
        out += data
        pad(&out)
    }

    static func pad(_ out: inout [UInt8]) {
        while out.count % 4 != 0 { out.append(0) }
    }
}

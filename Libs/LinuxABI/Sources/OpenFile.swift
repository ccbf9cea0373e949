/// An open file description (what `open` makes and `dup` shares): the node, the offset, and
/// the flags it was opened with. A class, because descriptors made by `dup` share the offset.
public final class OpenFile {
    public let node: FileNode
    public internal(set) var offset: Int = 0
    /// The access mode and status flags (`O_ACCMODE`, `O_APPEND`, `O_NONBLOCK`, ...).
    public internal(set) var flags: Int32
    /// A generated file's bytes, rendered once when it was opened (as procfs does per read,
    /// close enough for a program that reads it once).
    public var snapshot: [UInt8]? = nil
    /// What an event descriptor (eventfd, timerfd, epoll) carries; nil for files and devices.
    public var event: EventObject? = nil
    /// A directory's path as it was opened (what `openat` and friends resolve against).
    public internal(set) var path: String? = nil

    init(node: FileNode, flags: Int32) {
        self.node = node
        self.flags = flags
    }

    public var readable: Bool { flags & OpenFlags.accessMode != OpenFlags.writeOnly }
    public var nonBlocking: Bool { flags & OpenFlags.nonBlocking != 0 }
    public var writable: Bool { flags & OpenFlags.accessMode != OpenFlags.readOnly }
}

/// `open`'s flags as Linux x86-64 numbers them (`include/uapi/asm-generic/fcntl.h`).
public enum OpenFlags {
    public static let accessMode: Int32 = 0o3
    public static let readOnly: Int32 = 0o0
    public static let writeOnly: Int32 = 0o1
    public static let readWrite: Int32 = 0o2
    public static let create: Int32 = 0o100
    public static let exclusive: Int32 = 0o200
    public static let truncate: Int32 = 0o1000
    public static let append: Int32 = 0o2000
    public static let nonBlocking: Int32 = 0o4000
    public static let directory: Int32 = 0o200000
    public static let noFollow: Int32 = 0o400000
    public static let closeOnExec: Int32 = 0o2000000
}

/// The writable part of the program's file system: an in-memory `/tmp` (Linux's tmpfs) whose
/// directories and files the program creates, writes, truncates, renames and removes.
///
/// Guarantees: no write takes the bytes all of it holds past ``capacity`` (half the machine's
/// memory, tmpfs's default; files the initrd ships in `/tmp` count, and are not refused), and no
/// write grows it unless ``room`` says the kernel's heap can take the
/// growth with ``reserve`` to spare — past either, the call is `ENOSPC` and nothing changed,
/// so a program filling `/tmp` gets an error, never a kernel out of memory. Inode numbers
/// given out here never repeat those of the read-only tree. Its nodes are reached only under
/// the process's lock, like the rest of ``LinuxProcess``.
public final class TemporaryStore {
    /// The most bytes the files may hold together.
    public let capacity: UInt64
    /// How many bytes the kernel's heap could still give (checked before each growth).
    public var room: () -> UInt64
    /// What must stay free for the kernel after a growth.
    public static let reserve: UInt64 = 4 << 20
    public private(set) var used: UInt64 = 0
    var nextInode: UInt64

    public init(capacity: UInt64, room: @escaping () -> UInt64 = { .max }, firstInode: UInt64 = 1 << 32) {
        self.capacity = capacity
        self.room = room
        nextInode = firstInode
    }

    func inode() -> UInt64 {
        defer { nextInode += 1 }
        return nextInode
    }

    /// Takes `growth` more bytes (an array may double while it grows, so twice that must fit
    /// beside the reserve), or `ENOSPC`.
    func take(_ growth: UInt64) throws(LinuxError) {
        guard growth > 0 else { return }
        let (total, overflow) = used.addingReportingOverflow(growth)
        guard !overflow, total <= capacity else { throw .noSpace }
        let available = room()
        guard available >= Self.reserve, (available - Self.reserve) / 2 >= growth else { throw .noSpace }
        used = total
    }

    func give(_ amount: UInt64) { used -= min(used, amount) }

    /// Counts bytes that are already in memory (the initrd's own `/tmp` files).
    func adopt(_ amount: UInt64) { used += amount }
}

/// A file of the writable tree: its bytes, which writes change in place.
public final class WritableFile {
    public private(set) var bytes: [UInt8] = []
    let store: TemporaryStore

    init(store: TemporaryStore) { self.store = store }

    /// A file that starts with `bytes` (shipped in the initrd's `/tmp`): counted, not refused.
    init(store: TemporaryStore, adopting bytes: [UInt8]) {
        self.store = store
        self.bytes = bytes
        store.adopt(UInt64(bytes.count))
    }

    /// Writes `data` at `offset` (zeros fill a gap), or `ENOSPC`/`EFBIG` and nothing written.
    func write(_ data: ArraySlice<UInt8>, at offset: Int) throws(LinuxError) {
        guard !data.isEmpty else { return }   // writing nothing past the end does not extend the file
        guard offset >= 0, offset <= Self.maximumSize - data.count else { throw .fileTooLarge }
        let end = offset + data.count
        if end > bytes.count {
            try store.take(UInt64(end - bytes.count))
            bytes += repeatElement(0, count: end - bytes.count)
        }
        bytes.replaceSubrange(offset..<end, with: data)
    }

    /// `ftruncate`: cuts or extends with zeros to `length`.
    func truncate(to length: Int) throws(LinuxError) {
        guard length >= 0, length <= Self.maximumSize else { throw length < 0 ? .invalidArgument : .fileTooLarge }
        if length > bytes.count {
            try store.take(UInt64(length - bytes.count))
            bytes += repeatElement(0, count: length - bytes.count)
        } else if length < bytes.count {
            store.give(UInt64(bytes.count - length))
            bytes.removeSubrange(length...)
        }
    }

    /// Its bytes go back to the store when the last name and the last descriptor are gone.
    deinit { store.give(UInt64(bytes.count)) }

    /// The largest file (2 GiB - 1: the offsets a program hands over fit comfortably).
    public static let maximumSize = Int(Int32.max)
}

/// A directory of the writable tree: its entries in creation order.
public final class WritableDirectory {
    public private(set) var entries: [(name: String, node: FileNode)] = []
    let store: TemporaryStore

    public init(store: TemporaryStore) { self.store = store }

    func child(_ name: String) -> FileNode? { entries.first { $0.name == name }?.node }

    /// Makes a node called `name` (`EEXIST` if there is one).
    func create(_ name: String, _ content: FileNode.Content, permissions: UInt32) throws(LinuxError) -> FileNode {
        guard child(name) == nil else { throw .exists }
        guard name.utf8.count <= FileSystem.maximumNameLength else { throw .nameTooLong }
        let node = FileNode(content, inode: store.inode(), permissions: permissions & 0o7777)
        entries.append((name, node))
        return node
    }

    /// Takes the entry `name` out, giving it back.
    @discardableResult
    func remove(_ name: String) -> FileNode? {
        guard let index = entries.firstIndex(where: { $0.name == name }) else { return nil }
        return entries.remove(at: index).node
    }

    /// Puts `node` in as `name`, replacing what was there.
    func place(_ node: FileNode, as name: String) {
        if let index = entries.firstIndex(where: { $0.name == name }) { entries[index] = (name, node) } else { entries.append((name, node)) }
    }
}

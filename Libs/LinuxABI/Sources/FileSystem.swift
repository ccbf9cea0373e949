import CPIO

/// The file system a Linux program sees: read-only files and directories from the initrd,
/// plus what the kernel generates (`/proc`, `/sys`, `/etc`, `/dev`), plus a writable `/tmp`
/// when it is given a ``TemporaryStore``; looked up as Linux's path walk does.
///
/// Guarantees: the read-only tree is built once and never changes; only `/tmp` does (under the
/// process's lock, as every call is served; `FileSystemChanges.swift`). A lookup is
/// total — it gives the node or the error Linux gives for the same path in the same tree:
/// `ENOENT` (missing, or empty), `ENOTDIR` (a file used as a directory, including a trailing
/// slash after a file), `ENAMETOOLONG` (a component over 255 bytes or a path over 4,095),
/// `ELOOP` (more than 40 symbolic links); `..` at the root stays at the root. Archive members
/// whose paths hold `..` are ignored, so the initrd cannot place a file outside the tree.
public struct FileSystem {
    public static let maximumPathLength = 4095
    public static let maximumNameLength = 255
    public static let maximumSymbolicLinks = 40

    public let root: FileNode
    /// What holds `/tmp`'s bytes (nil: `/tmp` is an empty read-only directory).
    public let temporary: TemporaryStore?

    /// What to put in the tree besides the archive (later entries replace earlier ones, and
    /// these replace archive members at the same path).
    public enum Extra: Sendable {
        case file(path: String, bytes: [UInt8])
        case device(path: String, FileNode.Device)
        case symbolicLink(path: String, target: String)
        case generated(path: String, FileNode.Generated)
        case directory(path: String)
    }

    /// The tree of `archive` and `extras`; with `temporary`, `/tmp` is writable, starting with
    /// what the archive and the extras put there.
    public init(archive: CPIOReader?, extras: [Extra], temporary: TemporaryStore? = nil) {
        let tree = DirectoryBuilder()
        if let archive {
            for member in archive.members {
                let components = FileSystem.components(member.path)
                guard !components.isEmpty, !components.contains("..") else { continue }
                if member.isDirectory { tree.directory(at: components[...]) }
                else if member.isRegularFile { tree.place(components[...], .file(archive.contents(of: member), permissions: member.mode & 0o7777)) }
            }
        }
        for extra in extras {
            switch extra {
            case .file(let path, let bytes):
                let components = FileSystem.components(path)
                if !components.isEmpty { tree.place(components[...], .file(bytes[...], permissions: 0o444)) }
            case .device(let path, let device):
                let components = FileSystem.components(path)
                if !components.isEmpty { tree.place(components[...], .device(device)) }
            case .symbolicLink(let path, let target):
                let components = FileSystem.components(path)
                if !components.isEmpty { tree.place(components[...], .link(target)) }
            case .generated(let path, let kind):
                let components = FileSystem.components(path)
                if !components.isEmpty { tree.place(components[...], .generated(kind)) }
            case .directory(let path):
                tree.directory(at: FileSystem.components(path)[...])
            }
        }
        if let temporary {
            // What the archive put in /tmp is there, writable like the rest of it.
            let shipped: DirectoryBuilder
            if case .directory(let existing) = tree.entries["tmp"] { shipped = existing } else { shipped = DirectoryBuilder() }
            tree.set("tmp", .writable(shipped.writable(temporary)))
        }
        self.temporary = temporary
        var inode: UInt64 = 1
        root = tree.build(&inode)
    }

    /// The node at `path` (relative paths start at `directory`), following symbolic links.
    /// `followingFinalLink: false` returns a final symbolic link itself (`readlink`, `lstat`).
    public func lookup(_ path: String, from directory: String = "/", followingFinalLink: Bool = true) throws(LinuxError) -> FileNode {
        guard !path.isEmpty else { throw .noEntry }
        guard path.utf8.count <= FileSystem.maximumPathLength else { throw .nameTooLong }
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        var pending: [String] = Array(full.split(separator: "/").map(String.init).reversed())
        var nodes: [FileNode] = [root]   // the walk from the root to where it stands
        var links = 0
        while let name = pending.popLast() {
            guard nodes[nodes.count - 1].isDirectory else { throw .notDirectory }
            if name == "." { continue }
            if name == ".." {
                if nodes.count > 1 { nodes.removeLast() }
                continue
            }
            guard name.utf8.count <= FileSystem.maximumNameLength else { throw .nameTooLong }
            guard let child = nodes[nodes.count - 1].child(name) else { throw .noEntry }
            if case .symbolicLink(let target) = child.content, followingFinalLink || !pending.isEmpty || path.hasSuffix("/") {
                links += 1
                guard links <= FileSystem.maximumSymbolicLinks else { throw .tooManySymbolicLinks }
                if target.hasPrefix("/") { nodes = [root] }
                pending += target.split(separator: "/").map(String.init).reversed()
                continue
            }
            nodes.append(child)
        }
        let found = nodes[nodes.count - 1]
        if path.hasSuffix("/") && !found.isDirectory { throw .notDirectory }
        return found
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0 != "." }.map(String.init)
    }
}

/// The tree while it is being put together: directories by name, in insertion order.
final class DirectoryBuilder {
    enum Entry {
        case file(ArraySlice<UInt8>, permissions: UInt32)
        case device(FileNode.Device)
        case link(String)
        case generated(FileNode.Generated)
        case directory(DirectoryBuilder)
        case writable(WritableDirectory)
    }
    var names: [String] = []
    var entries: [String: Entry] = [:]

    func set(_ name: String, _ entry: Entry) {
        if entries[name] == nil { names.append(name) }
        entries[name] = entry
    }

    /// The directory at `components`, made (replacing anything that is not one) if missing.
    @discardableResult
    func directory(at components: ArraySlice<String>) -> DirectoryBuilder {
        guard let first = components.first else { return self }
        let next: DirectoryBuilder
        if case .directory(let existing) = entries[first] { next = existing } else {
            next = DirectoryBuilder()
            set(first, .directory(next))
        }
        return next.directory(at: components.dropFirst())
    }

    func place(_ components: ArraySlice<String>, _ entry: Entry) {
        guard let last = components.last else { return }
        directory(at: components.dropLast()).set(last, entry)
    }

    /// This directory as one of `/tmp`: files become writable copies (counted in `store`).
    func writable(_ store: TemporaryStore) -> WritableDirectory {
        let directory = WritableDirectory(store: store)
        for name in names {
            guard let entry = entries[name] else { continue }
            let content: FileNode.Content
            var permissions: UInt32 = 0o644
            switch entry {
            case .file(let bytes, let mode):
                content = .writableFile(WritableFile(store: store, adopting: Array(bytes)))
                permissions = mode
            case .device(let device): content = .device(device); permissions = 0o666
            case .link(let target): content = .symbolicLink(target); permissions = 0o777
            case .generated(let kind): content = .generated(kind); permissions = 0o444
            case .directory(let inner): content = .writableDirectory(inner.writable(store)); permissions = 0o755
            case .writable(let inner): content = .writableDirectory(inner); permissions = 0o755
            }
            directory.place(FileNode(content, inode: store.inode(), permissions: permissions), as: name)
        }
        return directory
    }

    func build(_ inode: inout UInt64) -> FileNode {
        let number = inode
        inode += 1
        var children: [(name: String, node: FileNode)] = []
        for name in names {
            guard let entry = entries[name] else { continue }
            let node: FileNode
            switch entry {
            case .file(let bytes, let permissions):
                node = FileNode(.file(bytes), inode: inode, permissions: permissions)
                inode += 1
            case .device(let device):
                node = FileNode(.device(device), inode: inode, permissions: 0o666)
                inode += 1
            case .link(let target):
                node = FileNode(.symbolicLink(target), inode: inode, permissions: 0o777)
                inode += 1
            case .generated(let kind):
                node = FileNode(.generated(kind), inode: inode, permissions: 0o444)
                inode += 1
            case .directory(let directory):
                node = directory.build(&inode)
            case .writable(let directory):
                node = FileNode(.writableDirectory(directory), inode: inode, permissions: 0o1777)
                inode += 1
            }
            children.append((name, node))
        }
        return FileNode(.directory(children), inode: number, permissions: 0o755)
    }
}

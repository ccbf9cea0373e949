/// The calls that change the tree — `mkdir`, `unlink`, `rmdir`, `rename`, `symlink`, creating
/// a file — served in `/tmp` and refused elsewhere, with the errors Linux gives for the same
/// case: `EEXIST` before `EROFS` (a name that is there is reported as there), `EROFS` in the
/// read-only tree, `EXDEV` for a rename between it and `/tmp`, `EBUSY` for `/tmp` itself,
/// `ENOTEMPTY`, `EISDIR`/`ENOTDIR` for the wrong kind, `EINVAL` for moving a directory into
/// itself or for `.` as the last component of what is removed.
extension FileSystem {
    /// The directory that holds the last component of `path`, and that component.
    public func parent(of path: String, from directory: String = "/") throws(LinuxError) -> (directory: FileNode, name: String) {
        guard !path.isEmpty else { throw .noEntry }
        guard path.utf8.count <= FileSystem.maximumPathLength else { throw .nameTooLong }
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        var components = full.split(separator: "/").map(String.init)
        guard let name = components.popLast() else { return (root, ".") }   // "/" itself
        guard name.utf8.count <= FileSystem.maximumNameLength else { throw .nameTooLong }
        let holder = try lookup("/" + components.joined(separator: "/"))
        guard holder.isDirectory else { throw .notDirectory }
        return (holder, name)
    }

    /// `open(O_CREAT)` of a missing file: a new empty file of `/tmp` — where a dangling
    /// symbolic link points, if the name is one (unless `exclusive`: then `EEXIST`).
    func createFile(_ path: String, from directory: String, permissions: UInt32, exclusive: Bool) throws(LinuxError) -> FileNode {
        var path = path.hasPrefix("/") ? path : directory + "/" + path
        for _ in 0...FileSystem.maximumSymbolicLinks {
            let (holder, name) = try parent(of: path)
            guard !path.hasSuffix("/") else { throw .isDirectory }
            if let existing = holder.child(name), case .symbolicLink(let target) = existing.content, !exclusive {
                path = target.hasPrefix("/") ? target : String(path.dropLast(name.utf8.count)) + target
                continue
            }
            guard case .writableDirectory(let writable) = holder.content else { throw .readOnlyFileSystem }
            return try writable.create(name, .writableFile(WritableFile(store: writable.store)), permissions: permissions)
        }
        throw .tooManySymbolicLinks
    }

    /// `mkdir`.
    public func makeDirectory(_ path: String, from directory: String = "/", permissions: UInt32) throws(LinuxError) {
        let (holder, name) = try parent(of: path, from: directory)
        if name == "." || name == ".." || holder.child(name) != nil { throw .exists }
        guard case .writableDirectory(let writable) = holder.content else { throw .readOnlyFileSystem }
        _ = try writable.create(name, .writableDirectory(WritableDirectory(store: writable.store)), permissions: permissions)
    }

    /// `symlink`: a link at `path` to `target`.
    public func makeSymbolicLink(_ path: String, from directory: String = "/", target: String) throws(LinuxError) {
        guard !target.isEmpty else { throw .noEntry }
        guard target.utf8.count <= FileSystem.maximumPathLength else { throw .nameTooLong }
        let (holder, name) = try parent(of: path, from: directory)
        if name == "." || name == ".." || holder.child(name) != nil { throw .exists }
        if path.hasSuffix("/") { throw .noEntry }   // a link is never a directory
        guard case .writableDirectory(let writable) = holder.content else { throw .readOnlyFileSystem }
        _ = try writable.create(name, .symbolicLink(target), permissions: 0o777)
    }

    /// `unlink` (`directory: false`) and `rmdir` (`directory: true`).
    public func remove(_ path: String, from directory: String = "/", directory removingDirectory: Bool) throws(LinuxError) {
        let (holder, name) = try parent(of: path, from: directory)
        if removingDirectory {
            if name == "." { throw .invalidArgument }
            if name == ".." { throw .notEmpty }
        }
        guard let node = holder.child(name) else { throw name == "." || name == ".." ? .isDirectory : .noEntry }
        if !removingDirectory && path.hasSuffix("/") { throw node.isDirectory ? .isDirectory : .notDirectory }
        if case .writableDirectory = node.content, case .directory = holder.content { throw .busy }   // /tmp itself
        guard case .writableDirectory(let writable) = holder.content else { throw .readOnlyFileSystem }
        if removingDirectory {
            guard case .writableDirectory(let target) = node.content else { throw .notDirectory }
            guard target.entries.isEmpty else { throw .notEmpty }
        } else if node.isDirectory {
            throw .isDirectory
        }
        writable.remove(name)
    }

    /// `rename` and `renameat2` (`noReplace`: RENAME_NOREPLACE).
    public func rename(_ from: String, to: String, directory: String = "/", noReplace: Bool = false) throws(LinuxError) {
        let (sourceHolder, sourceName) = try parent(of: from, from: directory)
        let (targetHolder, targetName) = try parent(of: to, from: directory)
        if sourceName == "." || sourceName == ".." || targetName == "." || targetName == ".." { throw .busy }
        guard let node = sourceHolder.child(sourceName) else { throw .noEntry }
        if !node.isDirectory && (from.hasSuffix("/") || to.hasSuffix("/")) { throw .notDirectory }
        let existing = targetHolder.child(targetName)
        if noReplace && existing != nil { throw .exists }
        switch (sourceHolder.content, targetHolder.content) {
        case (.writableDirectory(let source), .writableDirectory(let target)):
            if case .writableDirectory = node.content, case .directory = sourceHolder.content { throw .busy }
            if existing === node { return }
            if node.isDirectory && (targetHolder === node || Self.holds(node, targetHolder)) { throw .invalidArgument }
            if let existing, existing === sourceHolder || Self.holds(existing, sourceHolder) { throw .notEmpty }   // onto an ancestor
            if let existing {
                if node.isDirectory {
                    guard case .writableDirectory(let replaced) = existing.content else { throw .notDirectory }
                    guard replaced.entries.isEmpty else { throw .notEmpty }
                } else if existing.isDirectory {
                    throw .isDirectory
                }
            }
            source.remove(sourceName)
            target.place(node, as: targetName)
        case (.writableDirectory, _), (_, .writableDirectory):
            if case .writableDirectory = node.content, case .directory = sourceHolder.content { throw .busy }
            throw .crossDevice
        default:
            throw .readOnlyFileSystem
        }
    }

    /// Whether `node` is somewhere below `directory`.
    static func holds(_ directory: FileNode, _ node: FileNode) -> Bool {
        for child in directory.children {
            if child.node === node || (child.node.isDirectory && holds(child.node, node)) { return true }
        }
        return false
    }
}

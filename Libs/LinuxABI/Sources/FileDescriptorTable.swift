/// A process's file descriptors over its ``FileSystem``: `open`, `close`, `read`, `pread64`,
/// `write` to `/tmp`, `ftruncate`, `lseek`, `fstat`, `getdents64`, `pipe2`, `dup`, `dup2`,
/// `dup3` and `fcntl(F_DUPFD)`, with Linux's numbering (the lowest free descriptor) and errors.
///
/// Guarantees: descriptors 0, 1 and 2 start on the console; every call either does what Linux
/// does or fails with Linux's errno for the same case and changes nothing — `EBADF` for a
/// descriptor that is not open, `EMFILE` past ``maximumDescriptors``, `EROFS` for writing or
/// creating anything outside `/tmp` but a device (the initrd is read-only), `ENOSPC` when
/// `/tmp` is full, `EISDIR` for reading a directory,
/// `ENOTDIR` for `O_DIRECTORY` on a file, `EINVAL` for a bad `whence` or a negative offset,
/// `ESPIPE` for seeking a device. A read never returns more than it was asked for, nor bytes
/// outside the file.
public struct FileDescriptorTable {
    public static let maximumDescriptors = 1024
    public static let seekSet: Int32 = 0
    public static let seekCurrent: Int32 = 1
    public static let seekEnd: Int32 = 2

    /// What `fstat` reports.
    public struct Status: Sendable, Equatable {
        public var inode: UInt64
        public var mode: UInt32
        public var size: Int
        public var links: UInt64
        public var blockSize: Int
    }

    public let fileSystem: FileSystem
    var slots: [OpenFile?]
    var closeOnExec: [Bool]   // per descriptor (F_GETFD)

    public init(fileSystem: FileSystem, console: FileNode) {
        self.fileSystem = fileSystem
        let stdin = OpenFile(node: console, flags: OpenFlags.readWrite)
        slots = [stdin, OpenFile(node: console, flags: OpenFlags.readWrite), OpenFile(node: console, flags: OpenFlags.readWrite)]
        closeOnExec = [false, false, false]
    }

    /// The open file behind `descriptor`.
    public func file(_ descriptor: Int32) throws(LinuxError) -> OpenFile {
        guard descriptor >= 0, Int(descriptor) < slots.count, let file = slots[Int(descriptor)] else { throw .badFileDescriptor }
        return file
    }

    /// `open`: the file at `path` (relative paths start at `directory`); `O_CREAT` makes a
    /// missing one in `/tmp` with `permissions`, `O_TRUNC` empties a file of `/tmp`.
    public mutating func open(_ path: String, flags: Int32, from directory: String = "/", permissions: UInt32 = 0o644) throws(LinuxError) -> Int32 {
        let creating = flags & OpenFlags.create != 0
        if creating && path.hasSuffix("/") {
            _ = try fileSystem.parent(of: path, from: directory)   // its directory must be there
            throw .isDirectory
        }
        var node: FileNode
        var created = false
        let exclusive = creating && flags & OpenFlags.exclusive != 0
        do {
            // O_CREAT|O_EXCL never follows a final link: a link there is a name that exists.
            node = try fileSystem.lookup(path, from: directory, followingFinalLink: flags & OpenFlags.noFollow == 0 && !exclusive)
        } catch {
            guard error == .noEntry && creating else { throw error }
            node = try fileSystem.createFile(path, from: directory, permissions: permissions, exclusive: exclusive)
            created = true
        }
        if exclusive && !created { throw .exists }
        if case .symbolicLink = node.content { throw .tooManySymbolicLinks }   // O_NOFOLLOW on a link: ELOOP
        if flags & OpenFlags.directory != 0 && !node.isDirectory { throw .notDirectory }
        let writing = flags & OpenFlags.accessMode != OpenFlags.readOnly
        if node.isDirectory && (writing || creating) { throw .isDirectory }
        switch node.content {
        case .device: break
        case .writableFile(let file):
            if flags & OpenFlags.truncate != 0 && writing { try file.truncate(to: 0) }
        default:
            if writing || flags & OpenFlags.truncate != 0 { throw .readOnlyFileSystem }
        }
        let descriptor = try lowestFree(from: 0)
        let open = OpenFile(node: node, flags: flags & ~OpenFlags.closeOnExec)
        if node.isDirectory { open.path = path.hasPrefix("/") ? path : directory + "/" + path }
        place(open, at: descriptor, closeOnExec: flags & OpenFlags.closeOnExec != 0)
        return descriptor
    }

    /// `pipe2`: the read end and the write end at the two lowest free numbers.
    public mutating func openPipe(flags: Int32) throws(LinuxError) -> (read: Int32, write: Int32) {
        let read = try lowestFree(from: 0)
        var write = read + 1
        while Int(write) < slots.count && slots[Int(write)] != nil { write += 1 }
        guard Int(write) < Self.maximumDescriptors else { throw .tooManyOpenFiles }
        let buffer = PipeBuffer()
        let status = flags & OpenFlags.nonBlocking
        let reading = OpenFile(node: FileDescriptorTable.pipeNode, flags: OpenFlags.readOnly | status)
        reading.event = .pipe(PipeEnd(buffer: buffer, reading: true))
        let writing = OpenFile(node: FileDescriptorTable.pipeNode, flags: OpenFlags.writeOnly | status)
        writing.event = .pipe(PipeEnd(buffer: buffer, reading: false))
        place(reading, at: read, closeOnExec: flags & OpenFlags.closeOnExec != 0)
        place(writing, at: write, closeOnExec: flags & OpenFlags.closeOnExec != 0)
        return (read, write)
    }

    /// The node behind every pipe end (Linux's pipefs).
    static var pipeNode: FileNode { FileNode(.pipe, inode: 0xB_0000, permissions: 0o600) }

    /// `write` to a regular file of `/tmp`: at the offset (or the end, with `O_APPEND`), which
    /// moves past what was written.
    public func write(_ bytes: ArraySlice<UInt8>, to open: OpenFile, at offset: Int? = nil) throws(LinuxError) -> Int {
        guard open.writable else { throw .badFileDescriptor }
        guard case .writableFile(let file) = open.node.content else { throw .badFileDescriptor }
        let start = offset ?? (open.flags & OpenFlags.append != 0 ? file.bytes.count : open.offset)
        try file.write(bytes, at: start)
        if offset == nil { open.offset = start + bytes.count }
        return bytes.count
    }

    /// `ftruncate`.
    public func truncate(_ descriptor: Int32, length: Int64) throws(LinuxError) {
        guard length >= 0 else { throw .invalidArgument }   // checked before the descriptor, as Linux does
        let open = try file(descriptor)
        guard open.writable, case .writableFile(let file) = open.node.content else { throw .invalidArgument }
        try file.truncate(to: Int(clamping: length))
    }

    /// Opens an event descriptor (eventfd, timerfd, epoll) on an anonymous node at the lowest
    /// free number.
    public mutating func open(event: EventObject, flags: Int32) throws(LinuxError) -> Int32 {
        let descriptor = try lowestFree(from: 0)
        let open = OpenFile(node: FileDescriptorTable.anonymousNode, flags: OpenFlags.readWrite | (flags & OpenFlags.nonBlocking))
        open.event = event
        place(open, at: descriptor, closeOnExec: flags & OpenFlags.closeOnExec != 0)
        return descriptor
    }

    /// Opens a generated file whose bytes are already rendered (`/proc/<tid>/stat`).
    public mutating func open(generated kind: FileNode.Generated, bytes: [UInt8], flags: Int32) throws(LinuxError) -> Int32 {
        let descriptor = try lowestFree(from: 0)
        let open = OpenFile(node: FileNode(.generated(kind), inode: 0xB_0000, permissions: 0o444), flags: OpenFlags.readOnly)
        open.snapshot = bytes
        place(open, at: descriptor, closeOnExec: flags & OpenFlags.closeOnExec != 0)
        return descriptor
    }

    /// The node behind every event descriptor (Linux's anon_inode).
    static var anonymousNode: FileNode { FileNode(.device(.null), inode: 0xA_0000, permissions: 0o600) }

    /// How far the table reaches (one past the highest descriptor ever open and not trimmed).
    public var slotCount: Int { slots.count }

    /// Every open descriptor and its file.
    public var openDescriptors: [(Int32, OpenFile)] {
        slots.enumerated().compactMap { index, slot in slot.map { (Int32(index), $0) } }
    }

    public mutating func close(_ descriptor: Int32) throws(LinuxError) {
        let open = try file(descriptor)
        slots[Int(descriptor)] = nil
        while let last = slots.last, last == nil { slots.removeLast(); closeOnExec.removeLast() }
        released(open)
    }

    /// Tells a pipe that an end lost its last descriptor, when `open` has no other descriptor.
    func released(_ open: OpenFile) {
        guard open.event != nil, !slots.contains(where: { $0 === open }) else { return }
        switch open.event {
        case .pipe(let end): if end.reading { end.buffer.readers -= 1 } else { end.buffer.writers -= 1 }
        case .socket(let socket): socket.close()
        default: break
        }
    }

    /// Opens a socket at the lowest free number (`SOCK_NONBLOCK`, `SOCK_CLOEXEC` in `flags`).
    public mutating func open(socket: Socket, flags: Int32) throws(LinuxError) -> Int32 {
        let descriptor = try lowestFree(from: 0)
        let open = OpenFile(node: FileDescriptorTable.socketNode, flags: OpenFlags.readWrite | (flags & OpenFlags.nonBlocking))
        open.event = .socket(socket)
        place(open, at: descriptor, closeOnExec: flags & OpenFlags.closeOnExec != 0)
        return descriptor
    }

    /// The node behind every socket (Linux's sockfs).
    static var socketNode: FileNode { FileNode(.socket, inode: 0xC_0000, permissions: 0o777) }

    /// `read`: up to `maximum` bytes from the offset, which moves past them. `random` fills
    /// reads of the random device.
    public mutating func read(_ descriptor: Int32, maximum: Int, random: (Int) -> [UInt8]) throws(LinuxError) -> [UInt8] {
        let open = try file(descriptor)
        let bytes = try Self.read(open, at: open.offset, maximum: maximum, random: random)
        switch open.node.content {
        case .file, .generated, .writableFile: open.offset += bytes.count
        default: break
        }
        return bytes
    }

    /// `pread64`: like `read` at `offset`, leaving the file's offset alone.
    public func read(_ descriptor: Int32, maximum: Int, at offset: Int64, random: (Int) -> [UInt8]) throws(LinuxError) -> [UInt8] {
        guard offset >= 0 else { throw .invalidArgument }   // checked before the descriptor, as Linux does
        let open = try file(descriptor)
        if case .device(.console) = open.node.content { throw .illegalSeek }   // a terminal cannot; /dev/null and /dev/zero can
        return try Self.read(open, at: Int(clamping: offset), maximum: maximum, random: random)
    }

    static func read(_ open: OpenFile, at offset: Int, maximum: Int, random: (Int) -> [UInt8]) throws(LinuxError) -> [UInt8] {
        guard open.readable else { throw .badFileDescriptor }
        guard maximum >= 0 else { throw .invalidArgument }
        switch open.node.content {
        case .directory, .writableDirectory: throw .isDirectory
        case .symbolicLink: throw .invalidArgument
        case .pipe, .socket: throw .illegalSeek
        case .file(let bytes):
            guard offset < bytes.count else { return [] }
            let start = bytes.startIndex + offset
            return Array(bytes[start..<(start + min(maximum, bytes.count - offset))])
        case .writableFile(let file):
            let bytes = file.bytes
            guard offset < bytes.count else { return [] }
            return Array(bytes[offset..<(offset + min(maximum, bytes.count - offset))])
        case .generated:
            let bytes = open.snapshot ?? []
            guard offset < bytes.count else { return [] }
            return Array(bytes[offset..<(offset + min(maximum, bytes.count - offset))])
        case .device(.null), .device(.console): return []
        case .device(.zero): return Array(repeating: 0, count: min(maximum, 1 << 20))
        case .device(.random): return random(min(maximum, 1 << 20))
        }
    }

    /// `lseek`: the new offset.
    public mutating func seek(_ descriptor: Int32, offset: Int64, whence: Int32) throws(LinuxError) -> Int64 {
        let open = try file(descriptor)
        guard [Self.seekSet, Self.seekCurrent, Self.seekEnd].contains(whence) else { throw .invalidArgument }
        if case .device(let device) = open.node.content {
            guard device != .console else { throw .illegalSeek }
            return 0   // /dev/null, /dev/zero: Linux lets them seek and stay at 0
        }
        if case .pipe = open.node.content { throw .illegalSeek }
        if case .socket = open.node.content { throw .illegalSeek }
        let base: Int64
        switch whence {
        case Self.seekSet: base = 0
        case Self.seekCurrent: base = Int64(open.offset)
        case Self.seekEnd: base = Int64(open.node.size)
        default: throw .invalidArgument
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0, target <= Int64(Int32.max) * 4096 else { throw .invalidArgument }
        open.offset = Int(target)
        return target
    }

    public func status(_ descriptor: Int32) throws(LinuxError) -> Status {
        let node = try file(descriptor).node
        return Status(inode: node.inode, mode: node.mode, size: node.size, links: node.isDirectory ? 2 : 1, blockSize: 4096)
    }

    /// `dup` and `fcntl(F_DUPFD, lowest)`: the lowest free descriptor at or above `lowest`.
    public mutating func duplicate(_ descriptor: Int32, lowest: Int32 = 0) throws(LinuxError) -> Int32 {
        let open = try file(descriptor)
        guard lowest >= 0, Int(lowest) < Self.maximumDescriptors else { throw .invalidArgument }
        let new = try lowestFree(from: Int(lowest))
        place(open, at: new, closeOnExec: false)
        return new
    }

    /// `dup2` (`same` allowed: returns it) and `dup3` (`same` is `EINVAL`): `descriptor` again
    /// as `target`, closing what `target` was.
    public mutating func duplicate(_ descriptor: Int32, as target: Int32, closeOnExec: Bool = false, allowingSame: Bool) throws(LinuxError) -> Int32 {
        let open = try file(descriptor)
        guard target >= 0, Int(target) < Self.maximumDescriptors else { throw .badFileDescriptor }
        if target == descriptor {
            guard allowingSame else { throw .invalidArgument }
            return target
        }
        place(open, at: target, closeOnExec: closeOnExec)
        return target
    }

    /// `getdents64`: the next directory entries as `struct linux_dirent64` records (inode,
    /// next offset, record length, type, NUL-terminated name, padded to 8 bytes), as many as
    /// fit in `capacity`; empty at the end; `EINVAL` if not even the next one fits.
    public mutating func directoryEntries(_ descriptor: Int32, capacity: Int) throws(LinuxError) -> [UInt8] {
        let open = try file(descriptor)
        guard open.node.isDirectory else { throw .notDirectory }
        var entries: [(inode: UInt64, type: UInt8, name: String)] = [(open.node.inode, 4, "."), (open.node.inode, 4, "..")]
        for child in open.node.children {
            let type: UInt8
            switch child.node.content {
            case .directory, .writableDirectory: type = 4
            case .file, .generated, .writableFile: type = 8
            case .device: type = 2
            case .symbolicLink: type = 10
            case .pipe: type = 1
            case .socket: type = 12
            }
            entries.append((child.node.inode, type, child.name))
        }
        var out: [UInt8] = []
        var index = open.offset
        while index < entries.count {
            let entry = entries[index]
            let name = Array(entry.name.utf8)
            let length = (19 + name.count + 1 + 7) & ~7
            guard out.count + length <= capacity else {
                if out.isEmpty { throw .invalidArgument }
                break
            }
            var record: [UInt8] = []
            LittleEndian.append(entry.inode, to: &record)
            LittleEndian.append(UInt64(index + 1), to: &record)
            LittleEndian.append(UInt16(length), to: &record)
            record.append(entry.type)
            record += name + [0]
            record += Array(repeating: 0, count: length - record.count)
            out += record
            index += 1
        }
        open.offset = index
        return out
    }

    // MARK: Slots

    func lowestFree(from start: Int) throws(LinuxError) -> Int32 {
        var index = start
        while index < slots.count && slots[index] != nil { index += 1 }
        guard index < Self.maximumDescriptors else { throw .tooManyOpenFiles }
        return Int32(index)
    }

    mutating func place(_ open: OpenFile, at descriptor: Int32, closeOnExec flag: Bool) {
        let index = Int(descriptor)
        while slots.count <= index { slots.append(nil); closeOnExec.append(false) }
        let replaced = slots[index]
        slots[index] = open
        closeOnExec[index] = flag
        if let replaced, replaced !== open { released(replaced) }
    }
}

/// The calls on pipes, on readiness (`poll`, `ppoll`, `select`, `pselect6`) and on the writable `/tmp`: served
/// without blocking (a call that would block answers `EAGAIN`, or no ready descriptor; the
/// mechanism sleeps until an event changes and retries, as for the event descriptors).
extension LinuxProcess {
    static let atRemoveDirectory: UInt64 = 0x200
    static let atSymbolicLinkNoFollow: UInt64 = 0x100
    static let atEmptyPath: UInt64 = 0x1000

    func serveFiles(_ call: SystemCallNumber, _ a: [UInt64], _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        switch call {
        case .pipe, .pipe2:
            let flags = call == .pipe ? 0 : a[1]
            guard flags & ~(Self.descriptorFlags | 0o40000) == 0 else { throw .invalidArgument }   // O_NONBLOCK, O_CLOEXEC, O_DIRECT
            let (read, write) = try files.openPipe(flags: Int32(truncatingIfNeeded: flags))
            var bytes: [UInt8] = []
            LittleEndian.append(UInt32(bitPattern: read), to: &bytes)
            LittleEndian.append(UInt32(bitPattern: write), to: &bytes)
            guard memory.write(a[0], bytes) else {
                try? files.close(read)
                try? files.close(write)
                throw .badAddress
            }
            return 0
        case .poll, .ppoll:
            if call == .ppoll {
                if a[2] != 0 {
                    guard let bytes = memory.read(a[2], count: 16) else { throw .badAddress }
                    guard Self.nanoseconds(bytes, at: 0) != nil else { throw .invalidArgument }
                }
                if a[3] != 0 { guard a[4] == 8 else { throw .invalidArgument } }
            }
            return try poll(a[0], count: a[1], memory)
        case .select, .pselect6:
            if a[4] != 0 {
                guard let bytes = memory.read(a[4], count: 16) else { throw .badAddress }
                if call == .select {
                    guard Self.nanoseconds(timeval: bytes) != nil else { throw .invalidArgument }
                } else {
                    guard Self.nanoseconds(bytes, at: 0) != nil else { throw .invalidArgument }
                }
            }
            return try select(count: a[0], read: a[1], write: a[2], except: a[3], memory)
        case .pwrite64:
            guard Int64(bitPattern: a[3]) >= 0 else { throw .invalidArgument }
            let open = try files.file(fd(a[0]))
            guard open.writable else { throw .badFileDescriptor }
            switch open.node.content {
            case .device(.console), .pipe, .socket: throw .illegalSeek
            case .device: return Int64(min(a[2], 1 << 30))
            default: break
            }
            guard let bytes = memory.read(a[1], count: Int(clamping: min(a[2], 1 << 30))) else { throw .badAddress }
            return Int64(try files.write(bytes[...], to: open, at: Int(clamping: a[3])))
        case .ftruncate:
            try files.truncate(fd(a[0]), length: Int64(bitPattern: a[1]))
            return 0
        case .truncate:
            let node = try files.fileSystem.lookup(try path(a[0], memory))
            guard Int64(bitPattern: a[1]) >= 0 else { throw .invalidArgument }
            switch node.content {
            case .writableFile(let file): try file.truncate(to: Int(clamping: Int64(bitPattern: a[1])))
            case .directory, .writableDirectory: throw .isDirectory
            default: throw .readOnlyFileSystem
            }
            return 0
        case .fsync, .fdatasync:
            let open = try files.file(fd(a[0]))
            switch open.node.content {
            case .pipe, .socket, .device(.console): throw .invalidArgument
            default: return 0   // everything is in memory already
            }
        case .mkdir, .mkdirat:
            let (given, mode) = call == .mkdir ? (try path(a[0], memory), a[1]) : (try path(a[1], memory, relativeTo: a[0]), a[2])
            try files.fileSystem.makeDirectory(given, permissions: UInt32(truncatingIfNeeded: mode) & 0o7777 & ~creationMask)
            return 0
        case .rmdir, .unlink:
            try files.fileSystem.remove(try path(a[0], memory), directory: call == .rmdir)
            return 0
        case .unlinkat:
            guard a[2] & ~Self.atRemoveDirectory == 0 else { throw .invalidArgument }
            try files.fileSystem.remove(try path(a[1], memory, relativeTo: a[0]), directory: a[2] != 0)
            return 0
        case .rename:
            try files.fileSystem.rename(try path(a[0], memory), to: try path(a[1], memory))
            return 0
        case .renameat, .renameat2:
            let flags = call == .renameat ? 0 : a[4]
            guard flags & ~UInt64(1) == 0 else { throw .invalidArgument }   // RENAME_NOREPLACE only
            try files.fileSystem.rename(try path(a[1], memory, relativeTo: a[0]), to: try path(a[3], memory, relativeTo: a[2]),
                                        noReplace: flags != 0)
            return 0
        case .symlink, .symlinkat:
            guard let target = memory.string(at: a[0], limit: FileSystem.maximumPathLength + 1) else { throw .badAddress }
            let given = call == .symlink ? try path(a[1], memory) : try path(a[2], memory, relativeTo: a[1])
            try files.fileSystem.makeSymbolicLink(given, target: target)
            return 0
        case .umask:
            let old = creationMask
            creationMask = UInt32(truncatingIfNeeded: a[0]) & 0o777
            return Int64(old)
        case .chmod, .fchmod, .fchmodat:
            let node: FileNode
            let mode: UInt64
            switch call {
            case .fchmod: node = try files.file(fd(a[0])).node; mode = a[1]
            case .chmod: node = try files.fileSystem.lookup(try path(a[0], memory)); mode = a[1]
            default:
                guard a[3] == 0 else { throw a[3] == Self.atSymbolicLinkNoFollow ? .notSupported : .invalidArgument }
                node = try files.fileSystem.lookup(try path(a[1], memory, relativeTo: a[0])); mode = a[2]
            }
            guard Self.isWritable(node) else { throw .readOnlyFileSystem }
            node.permissions = UInt32(truncatingIfNeeded: mode) & 0o7777
            return 0
        case .utimensat:
            guard a[3] & ~(Self.atSymbolicLinkNoFollow | Self.atEmptyPath) == 0 else { throw .invalidArgument }
            if a[2] != 0 { guard memory.read(a[2], count: 32) != nil else { throw .badAddress } }
            let node = a[1] == 0 ? try files.file(fd(a[0])).node
                : try files.fileSystem.lookup(try path(a[1], memory, relativeTo: a[0]), followingFinalLink: a[3] & Self.atSymbolicLinkNoFollow == 0)
            guard Self.isWritable(node) else { throw .readOnlyFileSystem }
            return 0   // times are not kept: every file shows the epoch
        case .faccessat, .faccessat2:
            if call == .faccessat2 { guard a[3] & ~UInt64(0x200 | 0x100 | 0x1000) == 0 else { throw .invalidArgument } }   // AT_EACCESS, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH
            return try checkAccess(try path(a[1], memory, relativeTo: a[0]), mode: a[2])
        case .sendfile:
            return try sendFile(to: fd(a[0]), from: fd(a[1]), offset: a[2], count: a[3], memory)
        case .listxattr, .llistxattr, .flistxattr:
            if call == .flistxattr { _ = try files.file(fd(a[0])) } else { _ = try files.fileSystem.lookup(try path(a[0], memory), followingFinalLink: call == .listxattr) }
            return 0   // no extended attributes anywhere
        case .getxattr, .lgetxattr, .fgetxattr:
            if call == .fgetxattr { _ = try files.file(fd(a[0])) } else { _ = try files.fileSystem.lookup(try path(a[0], memory), followingFinalLink: call == .getxattr) }
            throw .noData
        default:
            throw .notImplemented
        }
    }

    /// `sendfile`: up to `count` bytes from `source` (at `*offset`, which moves, or at its own
    /// offset) written to `target`; how many went.
    func sendFile(to target: Int32, from source: Int32, offset address: UInt64, count: UInt64, _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        let output = try files.file(target), input = try files.file(source)
        guard output.writable, input.readable else { throw .badFileDescriptor }
        let maximum = Int(clamping: min(count, 1 << 30))
        let bytes: [UInt8]
        if address != 0 {
            guard let word = memory.read(address, count: 8) else { throw .badAddress }
            let start = Int64(bitPattern: LittleEndian.word(word, at: 0))
            guard start >= 0 else { throw .invalidArgument }
            bytes = try files.read(source, maximum: maximum, at: start, random: random)
            var moved: [UInt8] = []
            LittleEndian.append(UInt64(start) + UInt64(bytes.count), to: &moved)
            guard memory.write(address, moved) else { throw .badAddress }
        } else {
            bytes = try readBytes(source, maximum: maximum)
        }
        return bytes.isEmpty ? 0 : try emit(bytes[...], to: output)
    }

    /// `access`: as root sees it — every file may be read, a file of the read-only tree not
    /// written (`EROFS`), and one without any execute bit not run (`EACCES`).
    func checkAccess(_ path: String, mode: UInt64) throws(LinuxError) -> Int64 {
        guard mode & ~UInt64(7) == 0 else { throw .invalidArgument }
        let node = try files.fileSystem.lookup(path)
        if mode & 2 != 0, !Self.isWritable(node) { throw .readOnlyFileSystem }
        if mode & 1 != 0, !node.isDirectory, node.permissions & 0o111 == 0 { throw .accessDenied }
        return 0
    }

    /// Whether `node` may change: a device or anything of `/tmp`.
    static func isWritable(_ node: FileNode) -> Bool {
        switch node.content {
        case .device, .writableFile, .writableDirectory, .pipe, .socket: true
        case .symbolicLink, .file, .generated, .directory: false
        }
    }

    /// `write` to a pipe's write end.
    func writePipe(_ end: PipeEnd, _ bytes: ArraySlice<UInt8>) throws(LinuxError) -> Int {
        guard !end.reading else { throw .badFileDescriptor }
        do {
            let written = try end.buffer.put(bytes)
            if written > 0 { eventsChanged = true }
            return written
        } catch {
            if error == .brokenPipe { brokenPipe() }
            throw error
        }
    }

    /// A write to a pipe nobody reads: SIGPIPE, which ends the process unless it ignores or
    /// handles the signal (then the write is `EPIPE`).
    func brokenPipe() {
        let handler = signalActions[13].map { LittleEndian.word($0, at: 0) } ?? 0
        if handler == 0 && signalMask & (1 << 12) == 0 { exitStatus = 128 + 13 }
    }

    /// `poll`: reads the `struct pollfd` array, fills in each `revents`, and returns how many
    /// are not zero.
    func poll(_ address: UInt64, count: UInt64, _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        guard count <= UInt64(FileDescriptorTable.maximumDescriptors) else { throw .invalidArgument }
        guard count > 0 else { return 0 }
        guard var entries = memory.read(address, count: Int(count) * 8) else { throw .badAddress }
        let now = monotonicClock()
        var ready: Int64 = 0
        for index in 0..<Int(count) {
            let descriptor = Int32(bitPattern: LittleEndian.word32(entries, at: index * 8))
            let asked = UInt32(entries[index * 8 + 4]) | UInt32(entries[index * 8 + 5]) << 8
            var events: UInt32 = 0
            if descriptor >= 0 {
                if let now = readiness(descriptor, now: now) {
                    var state = now
                    if state & EventPoll.input != 0 { state |= Self.pollReadNormal }
                    if state & EventPoll.output != 0 { state |= Self.pollWriteNormal }
                    events = state & (asked | EventPoll.error | EventPoll.hangUp)
                } else {
                    events = Self.pollInvalid
                }
            }
            entries[index * 8 + 6] = UInt8(events & 0xFF)
            entries[index * 8 + 7] = UInt8(events >> 8 & 0xFF)
            if events != 0 { ready += 1 }
        }
        guard memory.write(address, entries) else { throw .badAddress }
        return ready
    }

    /// `select`: reads the three `fd_set` bitmaps (descriptors below `count`), keeps in each
    /// only the ready ones, and returns how many bits are left; `EBADF` for a descriptor in a
    /// set that is not open (within the table's reach, as Linux). (The time left is not
    /// written back into the timeout.)
    func select(count: UInt64, read: UInt64, write: UInt64, except: UInt64, _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        guard Int64(bitPattern: count) >= 0, count <= UInt64(FileDescriptorTable.maximumDescriptors) else { throw .invalidArgument }
        let words = Int((count + 63) / 64)
        guard words > 0 else { return 0 }
        // Linux looks only as far as its descriptor table reaches (64 entries, doubled as it
        // grows): descriptors beyond are ignored, not EBADF.
        var table = 64
        while table < files.slotCount { table *= 2 }
        let looked = min(Int(count), table)
        func bitmap(_ address: UInt64) throws(LinuxError) -> [UInt64] {
            guard address != 0 else { return Array(repeating: 0, count: words) }
            guard let bytes = memory.read(address, count: words * 8) else { throw .badAddress }
            return (0..<words).map { LittleEndian.word(bytes, at: $0 * 8) }
        }
        var sets = [try bitmap(read), try bitmap(write), try bitmap(except)]
        let now = monotonicClock()
        var ready: Int64 = 0
        for descriptor in 0..<looked {
            let word = descriptor / 64, bit = UInt64(1) << UInt64(descriptor % 64)
            guard sets[0][word] & bit != 0 || sets[1][word] & bit != 0 || sets[2][word] & bit != 0 else { continue }
            guard let state = readiness(Int32(descriptor), now: now) else { throw .badFileDescriptor }
            let readable = state & (EventPoll.input | EventPoll.hangUp | EventPoll.error) != 0
            let writable = state & (EventPoll.output | EventPoll.error) != 0
            for (index, yes) in [readable, writable, false].enumerated() where sets[index][word] & bit != 0 {
                if yes { ready += 1 } else { sets[index][word] &= ~bit }
            }
        }
        for (index, address) in [read, write, except].enumerated() where address != 0 {
            var bytes: [UInt8] = []
            for word in sets[index] { LittleEndian.append(word, to: &bytes) }
            guard memory.write(address, bytes) else { throw .badAddress }
        }
        return ready
    }

    /// A `struct timeval` in nanoseconds (saturating at 2^62); nil when invalid (negative, or
    /// 10^6 microseconds or more). Also the runtime's reader of select's timeout.
    public static func nanoseconds(timeval bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= 16 else { return nil }
        let seconds = LittleEndian.word(bytes, at: 0), micro = LittleEndian.word(bytes, at: 8)
        guard Int64(bitPattern: seconds) >= 0, micro < 1_000_000 else { return nil }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max / 4 : min(scaled &+ micro * 1000, UInt64.max / 4)
    }

    static let pollInvalid: UInt32 = 0x020, pollReadNormal: UInt32 = 0x040, pollWriteNormal: UInt32 = 0x100
}

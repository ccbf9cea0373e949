import Net

/// A Linux process as the system-call layer keeps it — its memory mappings and program break,
/// its file descriptors, its identity, signal dispositions, resource limits and exit status —
/// and the dispatcher that serves the system calls a single-threaded static program makes.
///
/// Guarantees: every call is total over its arguments: pointers are reached only through the
/// ``ProgramMemory`` it is given (an unreadable or unwritable one is `EFAULT`), sizes and flags
/// are checked as Linux checks them, and the result is what Linux returns or `-errno`; a call
/// it does not serve returns exactly `-ENOSYS` (so glibc falls back from `clone3`, and a
/// program that probes goes on), with a trace line naming it. The ranges `munmap`, `mmap`
/// with `MAP_FIXED`, `madvise(MADV_DONTNEED)` and a shrinking `brk` take away are queued in
/// ``released``, so the mechanism frees exactly those frames (and a later touch finds zeros).
/// Threads (`clone`, `futex`) and sleeping belong to the scheduler's half and answer `-ENOSYS`
/// here; calls that would block (a read of an empty pipe, `poll` with nothing ready) answer
/// `EAGAIN` or nothing, and the mechanism sleeps until ``eventsChanged`` and asks again.
public final class LinuxProcess {
    public var mappings: MemoryMappings
    public var files: FileDescriptorTable
    /// The program break: where the heap `brk` manages starts, where it is, and how far it may go.
    public let breakStart: UInt64
    public private(set) var breakCurrent: UInt64
    public let breakLimit: UInt64
    /// Set when an event descriptor changed (a counter written, a timer set, an interest list
    /// edited, a descriptor closed): the mechanism wakes the threads waiting for events.
    public var eventsChanged = false
    /// Set by `exit` or `exit_group`: the process is over with this status (0…255).
    public internal(set) var exitStatus: Int32? = nil
    /// The FS base the program asked for (`arch_prctl(ARCH_SET_FS)`): its thread pointer.
    public private(set) var threadPointer: UInt64 = 0
    /// `set_tid_address`: the word cleared (and woken) when the thread exits.
    public private(set) var clearChildThreadID: UInt64 = 0
    /// Signal dispositions (`rt_sigaction`), as the 32-byte `struct sigaction` the program gave.
    public private(set) var signalActions: [Int: [UInt8]] = [:]
    public private(set) var signalMask: UInt64 = 0
    /// The loopback network its sockets meet on.
    public let loopback = LoopbackNetwork()
    /// The TCP/IP stack of the network card, when the machine has one: sockets reach other
    /// hosts through it. The mechanism polls it (under the same lock as every call) when
    /// frames arrive or its timers run out.
    public var network: NetworkStack? = nil
    /// A call used a socket over the network: what it queued goes out before the call returns.
    var networkUsed = false
    /// With `measuresPolls`, the monotonic nanoseconds spent in the stack polls that follow
    /// calls (a profile's split of a call's time between its own work and the stack's).
    public var measuresPolls = false
    public private(set) var pollNanoseconds: UInt64 = 0
    /// `umask`: the permission bits files and directories are created without.
    public internal(set) var creationMask: UInt32 = 0o022
    /// Ranges whose frames the mechanism must free.
    public var released: [Range<UInt64>] = []
    /// The program's path and where its segments lie (named in `/proc/self/maps`).
    public var executable = ""
    public var programRange: Range<UInt64>? = nil
    /// Processors the program may run on (`sched_getaffinity`).
    public let processors: Int
    /// The machine's memory and what is free of it, for `sysinfo` (bytes; 0 when unknown).
    public var memoryBytes: () -> (total: UInt64, free: UInt64) = { (0, 0) }
    /// A thread's scheduling state as `/proc/<tid>/stat` shows it (`R` running or ready, `S`
    /// sleeping in a wait), or nil when no thread has that tid; the mechanism knows its threads.
    public var threadState: (Int32) -> UInt8? = { $0 == Int32(LinuxProcess.processID) ? UInt8(ascii: "R") : nil }
    /// Whether each call is traced (`strace = true`), and where the lines go.
    public var tracing = false
    public var trace: (String) -> Void = { _ in }

    /// The console's output (descriptors 1 and 2, and any other open on the console).
    let console: (ArraySlice<UInt8>) -> Void
    /// Nanoseconds since boot, and since the epoch.
    let monotonicClock: () -> UInt64
    let realTimeClock: () -> UInt64
    let random: (Int) -> [UInt8]
    let yield: () -> Void

    public static let processID: Int64 = 1
    public static let uname = (system: "Linux", node: "swiftyhermit", release: "6.1.0-swiftyhermit", version: "#1 SMP SwiftyHermit",
                               machine: "x86_64", domain: "(none)")

    public init(mappings: MemoryMappings, files: FileDescriptorTable, programEnd: UInt64, breakLimit: UInt64 = 1 << 30,
                processors: Int, console: @escaping (ArraySlice<UInt8>) -> Void, monotonicClock: @escaping () -> UInt64,
                realTimeClock: @escaping () -> UInt64, random: @escaping (Int) -> [UInt8], yield: @escaping () -> Void = {}) {
        self.mappings = mappings
        self.files = files
        breakStart = (programEnd &+ 4095) & ~4095
        breakCurrent = breakStart
        self.breakLimit = breakLimit
        self.processors = max(1, processors)
        self.console = console
        self.monotonicClock = monotonicClock
        self.realTimeClock = realTimeClock
        self.random = random
        self.yield = yield
    }

    /// Serves system call `number` with `arguments` (rdi, rsi, rdx, r10, r8, r9); returns what
    /// goes back in rax.
    public func handle(_ number: Int, _ arguments: [UInt64], memory: some ProgramMemory) -> Int64 {
        // The mechanism passes all six registers: only a shorter list (a test's) is padded.
        let a = arguments.count >= 6 ? arguments : arguments + Array(repeating: 0, count: 6 - arguments.count)
        let result: Int64
        if let call = SystemCallNumber(rawValue: number) {
            do { result = try serve(call, a, memory) } catch { result = error.returnValue }
            if networkUsed, let network {
                networkUsed = false
                // Sends what the call queued; receives nothing (budget 0), so only a timer that
                // came due can have changed a socket's readiness (a connection given up on).
                let fired = network.timersFired
                let started = measuresPolls ? monotonicClock() : 0
                network.poll(budget: 0)
                if measuresPolls { pollNanoseconds &+= monotonicClock() &- started }
                if network.timersFired != fired { eventsChanged = true }
            }
            if tracing { trace("\(call.name)(\(a.prefix(Self.argumentCount(call)).map { "0x" + String($0, radix: 16) }.joined(separator: ", "))) = \(Self.describe(result))") }
        } else {
            result = LinuxError.notImplemented.returnValue
            trace("unknown system call \(number)(\(a.map { "0x" + String($0, radix: 16) }.joined(separator: ", "))) = -38 (ENOSYS)")
        }
        return result
    }

    static func describe(_ result: Int64) -> String {
        guard result < 0, result > -4096, let error = LinuxError(rawValue: Int32(-result)) else { return String(result) }
        return "\(result) (errno \(error.rawValue))"
    }

    static func argumentCount(_ call: SystemCallNumber) -> Int {
        switch call {
        case .getpid, .gettid, .getuid, .getgid, .geteuid, .getegid, .getppid, .schedYield: 0
        case .close, .brk, .exit, .exitGroup, .uname, .dup, .setTidAddress: 1
        case .mmap: 6
        default: 4
        }
    }

    // MARK: The calls

    func serve(_ call: SystemCallNumber, _ a: [UInt64], _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        switch call {
        case .read where isEventDescriptor(a[0]):
            let value = try readEvent(fd(a[0]), count: a[2])
            var bytes: [UInt8] = []
            LittleEndian.append(value, to: &bytes)
            guard memory.write(a[1], bytes) else { throw .badAddress }
            return 8
        case .write where isEventDescriptor(a[0]):
            guard a[2] >= 8 else { throw .invalidArgument }
            guard let bytes = memory.read(a[1], count: 8) else { throw .badAddress }
            try writeEvent(fd(a[0]), value: LittleEndian.word(bytes, at: 0))
            return 8
        case .eventfd, .eventfd2, .timerfdCreate, .timerfdSettime, .timerfdGettime,
             .epollCreate, .epollCreate1, .epollControl, .epollWait, .epollPwait:
            return try serveEvents(call, a, memory)
        case .pipe, .pipe2, .poll, .ppoll, .select, .pselect6, .pwrite64, .ftruncate, .truncate, .fsync, .fdatasync, .mkdir, .mkdirat, .rmdir,
             .unlink, .unlinkat, .rename, .renameat, .renameat2, .symlink, .symlinkat, .umask, .chmod, .fchmod, .fchmodat,
             .utimensat, .faccessat, .faccessat2, .sendfile, .getxattr, .lgetxattr, .fgetxattr, .listxattr, .llistxattr, .flistxattr:
            return try serveFiles(call, a, memory)
        case .socket, .connect, .accept, .accept4, .sendto, .recvfrom, .sendmsg, .recvmsg, .shutdown, .bind, .listen, .getsockname,
             .getpeername, .socketpair, .setsockopt, .getsockopt:
            return try serveSockets(call, a, memory)
        case .read:
            let bytes = try readBytes(fd(a[0]), maximum: Int(clamping: min(a[2], 1 << 30)))
            guard memory.write(a[1], bytes) else { throw .badAddress }
            return Int64(bytes.count)
        case .pread64:
            let bytes = try files.read(fd(a[0]), maximum: Int(clamping: min(a[2], 1 << 30)), at: Int64(bitPattern: a[3]), random: random)
            guard memory.write(a[1], bytes) else { throw .badAddress }
            return Int64(bytes.count)
        case .write:
            let open = try files.file(fd(a[0]))
            guard open.writable else { throw .badFileDescriptor }
            guard let bytes = memory.read(a[1], count: Int(clamping: min(a[2], 1 << 30))) else { throw .badAddress }
            return try emit(bytes[...], to: open)
        case .writev:
            // One write of the pieces gathered, as Linux's: a stream takes what fits of the
            // whole, a datagram socket sends them as one datagram; a bad piece after good ones
            // ends the gathering (what went before is written), a bad first piece is EFAULT.
            guard a[2] <= 1024 else { throw .invalidArgument }
            let open = try files.file(fd(a[0]))
            guard open.writable else { throw .badFileDescriptor }
            guard let vector = memory.read(a[1], count: Int(a[2]) * 16) else { throw .badAddress }
            let pieces = (0..<Int(a[2])).map { (base: LittleEndian.word(vector, at: $0 * 16), length: LittleEndian.word(vector, at: $0 * 16 + 8)) }
            guard pieces.allSatisfy({ $0.length <= 1 << 30 }) else { throw .invalidArgument }
            var gathered: [UInt8] = []
            for piece in pieces where piece.length > 0 && gathered.count < 1 << 30 {
                guard let bytes = memory.read(piece.base, count: Int(min(piece.length, UInt64((1 << 30) - gathered.count)))) else {
                    if gathered.isEmpty { throw .badAddress }
                    break
                }
                if gathered.isEmpty { gathered = bytes } else { gathered += bytes }
            }
            guard !gathered.isEmpty else { return 0 }   // nothing to write: 0, as Linux's do_iter_write
            return try emit(gathered[...], to: open)
        case .readv:
            guard a[2] <= 1024 else { throw .invalidArgument }
            guard let vector = memory.read(a[1], count: Int(a[2]) * 16) else { throw .badAddress }
            var total: Int64 = 0
            for index in 0..<Int(a[2]) {
                let base = LittleEndian.word(vector, at: index * 16), length = LittleEndian.word(vector, at: index * 16 + 8)
                guard length <= 1 << 30 else { throw .invalidArgument }
                do throws(LinuxError) {
                    let bytes = try readBytes(fd(a[0]), maximum: Int(length))
                    guard memory.write(base, bytes) else { throw .badAddress }
                    total += Int64(bytes.count)
                    if bytes.count < Int(length) { break }
                } catch {
                    if total > 0 { break }   // what went before counts, as Linux returns it
                    throw error
                }
            }
            return total
        case .open:
            if let status = try threadStatusFile(try path(a[0], memory), flags: a[1]) { return Int64(status) }
            return Int64(render(try files.open(try path(a[0], memory), flags: Int32(truncatingIfNeeded: a[1]), permissions: UInt32(truncatingIfNeeded: a[2]) & ~creationMask)))
        case .openat:
            if let status = try threadStatusFile(try path(a[1], memory, relativeTo: a[0]), flags: a[2]) { return Int64(status) }
            return Int64(render(try files.open(try path(a[1], memory, relativeTo: a[0]), flags: Int32(truncatingIfNeeded: a[2]),
                                               permissions: UInt32(truncatingIfNeeded: a[3]) & ~creationMask)))
        case .close:
            if network != nil, case .socket = try files.file(fd(a[0])).event { networkUsed = true }
            try files.close(fd(a[0]))
            forgetInEventPolls(fd(a[0]))
            return 0
        case .lseek:
            return try files.seek(fd(a[0]), offset: Int64(bitPattern: a[1]), whence: Int32(truncatingIfNeeded: a[2]))
        case .dup:
            return Int64(try files.duplicate(fd(a[0])))
        case .dup2:
            return Int64(try files.duplicate(fd(a[0]), as: fd(a[1]), allowingSame: true))
        case .dup3:
            guard a[2] & ~UInt64(UInt32(bitPattern: OpenFlags.closeOnExec)) == 0 else { throw .invalidArgument }
            return Int64(try files.duplicate(fd(a[0]), as: fd(a[1]), closeOnExec: a[2] != 0, allowingSame: false))
        case .fcntl:
            return try fileControl(fd(a[0]), command: Int32(truncatingIfNeeded: a[1]), argument: a[2])
        case .fstat:
            let status = try files.status(fd(a[0]))
            guard memory.write(a[1], Self.encode(status)) else { throw .badAddress }
            return 0
        case .stat, .lstat:
            let node = try files.fileSystem.lookup(try path(a[0], memory), followingFinalLink: call == .stat)
            guard memory.write(a[1], Self.encode(Self.status(of: node))) else { throw .badAddress }
            return 0
        case .newfstatat:
            let flags = a[3]
            guard flags & ~UInt64(0x1000 | 0x100 | 0x800) == 0 else { throw .invalidArgument }   // AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT
            guard memory.write(a[2], Self.encode(try status(directory: a[0], path: a[1], flags: flags, memory))) else { throw .badAddress }
            return 0
        case .statx:
            let flags = a[2]
            // AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE bits.
            guard flags & ~UInt64(0x1000 | 0x100 | 0x800 | 0x6000) == 0, a[3] & 0x8000_0000 == 0 else { throw .invalidArgument }
            guard memory.write(a[4], Self.encodeStatx(try status(directory: a[0], path: a[1], flags: flags, memory))) else { throw .badAddress }
            return 0
        case .access:
            return try checkAccess(try path(a[0], memory), mode: a[1])
        case .getdents64:
            let records = try files.directoryEntries(fd(a[0]), capacity: Int(clamping: min(a[2], 1 << 20)))
            guard memory.write(a[1], records) else { throw .badAddress }
            return Int64(records.count)
        case .readlink, .readlinkat:
            let given = call == .readlink ? try path(a[0], memory) : try path(a[1], memory, relativeTo: a[0])
            let (buffer, size) = call == .readlink ? (a[1], a[2]) : (a[2], a[3])
            guard Int64(bitPattern: size) > 0 else { throw .invalidArgument }
            let node = try files.fileSystem.lookup(given, followingFinalLink: false)
            guard case .symbolicLink(let target) = node.content else { throw .invalidArgument }
            let bytes = Array(Array(target.utf8).prefix(Int(clamping: size)))
            guard memory.write(buffer, bytes) else { throw .badAddress }
            return Int64(bytes.count)
        case .getcwd:
            guard a[1] >= 2 else { throw .outOfRange }
            guard memory.write(a[0], [0x2F, 0]) else { throw .badAddress }
            return 2
        case .ioctl:
            let open = try files.file(fd(a[0]))
            switch a[1] {
            case 0x5421:                                                     // FIONBIO
                guard let bytes = memory.read(a[2], count: 4) else { throw .badAddress }
                open.flags = bytes.contains { $0 != 0 } ? open.flags | OpenFlags.nonBlocking : open.flags & ~OpenFlags.nonBlocking
                return 0
            case 0x541B:                                                     // FIONREAD
                let waiting: Int
                switch open.event {
                case .socket(let socket):
                    if socket.kind == .datagram { socket.pullDatagrams() }
                    waiting = socket.kind == .stream ? (socket.remoteStream?.available ?? socket.incoming?.count ?? 0) : (socket.datagrams.first?.bytes.count ?? 0)
                case .pipe(let end): waiting = end.buffer.count
                default: throw .notTerminal
                }
                var bytes: [UInt8] = []
                LittleEndian.append(UInt32(waiting), to: &bytes)
                guard memory.write(a[2], bytes) else { throw .badAddress }
                return 0
            default: throw .notTerminal   // TCGETS, TIOCGWINSZ, ...: no terminal here
            }
        case .mmap:
            return try mapMemory(address: a[0], length: a[1], protection: a[2], flags: a[3], descriptor: Int64(bitPattern: a[4]))
        case .munmap:
            released += try mappings.unmap(address: a[0], length: a[1])
            return 0
        case .mprotect:
            guard a[2] & ~UInt64(7) == 0 else { throw .invalidArgument }
            try mappings.protect(address: a[0], length: a[1], protection: .init(rawValue: UInt32(a[2])))
            return 0
        case .madvise:
            guard a[0] % MemoryMappings.pageSize == 0 else { throw .invalidArgument }
            if a[2] == 4, a[1] > 0, case (let end, false) = a[0].addingReportingOverflow(a[1]) {   // MADV_DONTNEED: zeros next time
                released.append(a[0]..<((end &+ 4095) & ~4095))
            }
            return 0
        case .brk:
            return Int64(bitPattern: setBreak(a[0]))
        case .sysinfo:
            let sizes = memoryBytes()
            var info: [UInt8] = []
            LittleEndian.append(UInt64(monotonicClock() / 1_000_000_000), to: &info)   // uptime
            for _ in 0..<3 { LittleEndian.append(UInt64(0), to: &info) }              // loads
            LittleEndian.append(sizes.total, to: &info)
            LittleEndian.append(sizes.free, to: &info)
            for _ in 0..<4 { LittleEndian.append(UInt64(0), to: &info) }              // shared, buffer, swap total, swap free
            LittleEndian.append(UInt16(1), to: &info)                                 // procs
            info += [0, 0, 0, 0, 0, 0]                                                // padding to 8
            for _ in 0..<2 { LittleEndian.append(UInt64(0), to: &info) }              // high memory
            LittleEndian.append(UInt32(1), to: &info)                                 // mem_unit
            info += Array(repeating: 0, count: 112 - info.count)
            guard memory.write(a[0], info) else { throw .badAddress }
            return 0
        case .setpriority:
            guard a[0] <= 2 else { throw .invalidArgument }
            return 0
        case .getpid: return Self.processID
        case .gettid: return Self.processID
        case .getppid: return 0
        case .getuid, .getgid, .geteuid, .getegid: return 0
        case .uname:
            var bytes: [UInt8] = []
            let u = Self.uname
            for field in [u.system, u.node, u.release, u.version, u.machine, u.domain] {
                let text = Array(field.utf8.prefix(64))
                bytes += text + Array(repeating: 0, count: 65 - text.count)
            }
            guard memory.write(a[0], bytes) else { throw .badAddress }
            return 0
        case .getrandom:
            guard a[2] & ~UInt64(7) == 0 else { throw .invalidArgument }   // GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE
            let bytes = random(Int(clamping: min(a[1], 1 << 25)))
            guard memory.write(a[0], bytes) else { throw .badAddress }
            return Int64(bytes.count)
        case .clockGettime, .clockGetres, .gettimeofday, .time:
            return try Self.serveClock(call, a, memory, realTime: realTimeClock(), monotonic: monotonicClock())
        case .exit, .exitGroup:
            exitStatus = Int32(truncatingIfNeeded: a[0] & 0xFF)
            return 0
        case .archPrctl:
            switch a[0] {
            case 0x1002: threadPointer = a[1]; return 0                       // ARCH_SET_FS
            case 0x1003:                                                      // ARCH_GET_FS
                var bytes: [UInt8] = []
                LittleEndian.append(threadPointer, to: &bytes)
                guard memory.write(a[1], bytes) else { throw .badAddress }
                return 0
            default: throw .invalidArgument                                  // GS is the kernel's; CET is off
            }
        case .setTidAddress:
            clearChildThreadID = a[0]
            return Self.processID
        case .setRobustList:
            guard a[1] == 24 else { throw .invalidArgument }
            return 0
        case .rtSigaction:
            guard a[3] == 8, (1...64).contains(a[0]) else { throw .invalidArgument }
            let signal = Int(a[0])
            if a[2] != 0 {
                guard memory.write(a[2], signalActions[signal] ?? Array(repeating: 0, count: 32)) else { throw .badAddress }
            }
            if a[1] != 0 {
                guard signal != 9 && signal != 19 else { throw .invalidArgument }   // SIGKILL, SIGSTOP
                guard let action = memory.read(a[1], count: 32) else { throw .badAddress }
                signalActions[signal] = action
            }
            return 0
        case .rtSigprocmask:
            guard a[3] == 8 else { throw .invalidArgument }
            if a[2] != 0 {
                var bytes: [UInt8] = []
                LittleEndian.append(signalMask, to: &bytes)
                guard memory.write(a[2], bytes) else { throw .badAddress }
            }
            if a[1] != 0 {
                guard let bytes = memory.read(a[1], count: 8) else { throw .badAddress }
                let set = LittleEndian.word(bytes, at: 0) & ~(UInt64(1) << 8 | UInt64(1) << 18)   // SIGKILL, SIGSTOP stay unblocked
                switch a[0] {
                case 0: signalMask |= set       // SIG_BLOCK
                case 1: signalMask &= ~set      // SIG_UNBLOCK
                case 2: signalMask = set        // SIG_SETMASK
                default: throw .invalidArgument
                }
            }
            return 0
        case .sigaltstack:
            if a[1] != 0 {
                var bytes: [UInt8] = []
                LittleEndian.append(UInt64(0), to: &bytes)   // ss_sp
                LittleEndian.append(UInt32(2), to: &bytes)   // ss_flags: SS_DISABLE
                LittleEndian.append(UInt32(0), to: &bytes)
                LittleEndian.append(UInt64(0), to: &bytes)   // ss_size
                guard memory.write(a[1], bytes) else { throw .badAddress }
            }
            return 0
        case .prlimit64:
            guard a[0] == 0 || Int64(bitPattern: a[0]) == Self.processID else { throw .notPermitted }
            guard a[1] < 16 else { throw .invalidArgument }
            if a[3] != 0 {
                let infinity = UInt64.max
                let (current, maximum): (UInt64, UInt64) = switch a[1] {
                case 3: (8 << 20, infinity)                                            // RLIMIT_STACK
                case 7: (UInt64(FileDescriptorTable.maximumDescriptors), UInt64(FileDescriptorTable.maximumDescriptors))   // RLIMIT_NOFILE
                default: (infinity, infinity)
                }
                var bytes: [UInt8] = []
                LittleEndian.append(current, to: &bytes)
                LittleEndian.append(maximum, to: &bytes)
                guard memory.write(a[3], bytes) else { throw .badAddress }
            }
            return 0
        case .schedGetaffinity:
            guard a[1] >= 8, a[1] % 8 == 0 else { throw .invalidArgument }
            let mask: UInt64 = processors >= 64 ? .max : (UInt64(1) << UInt64(processors)) - 1
            var bytes: [UInt8] = []
            LittleEndian.append(mask, to: &bytes)
            guard memory.write(a[2], bytes) else { throw .badAddress }
            return 8
        case .schedYield:
            yield()
            return 0
        case .prctl:
            switch a[0] {
            case 15: return 0                                                // PR_SET_NAME
            case 16:                                                         // PR_GET_NAME
                guard memory.write(a[1], Array("main".utf8) + Array(repeating: 0, count: 12)) else { throw .badAddress }
                return 0
            default: throw .invalidArgument
            }
        case .nanosleep, .clockNanosleep, .clone, .futex, .rseq, .clone3:
            throw .notImplemented
        }
    }

    // MARK: Helpers

    /// Renders a generated file just opened as `descriptor` (`/proc/self/maps`).
    func render(_ descriptor: Int32) -> Int32 {
        guard let open = try? files.file(descriptor), case .generated(let kind) = open.node.content else { return descriptor }
        switch kind {
        case .processMaps: open.snapshot = StandardFiles.processMaps(mappings, executable: executable, programRange: programRange)
        case .threadStatus: break   // rendered when opened
        }
        return descriptor
    }

    func fd(_ value: UInt64) -> Int32 { Int32(truncatingIfNeeded: value) }

    /// The path at `address`: `ENAMETOOLONG` past 4,095 bytes, `EFAULT` if unreadable, `ENOENT`
    /// if empty (unless allowed); relative paths need `AT_FDCWD` (-100) (the working
    /// directory is `/`).
    func path(_ address: UInt64, _ memory: some ProgramMemory, relativeTo directory: UInt64 = UInt64(bitPattern: -100),
              allowingEmpty: Bool = false) throws(LinuxError) -> String {
        guard address != 0 else { throw .badAddress }
        guard let text = memory.string(at: address, limit: FileSystem.maximumPathLength + 1) else {
            if memory.read(address, count: 1) == nil { throw .badAddress }
            throw .nameTooLong
        }
        if text.isEmpty { if allowingEmpty { return "" }; throw .noEntry }
        if !text.hasPrefix("/") && Int32(truncatingIfNeeded: directory) != -100 {
            let open = try files.file(fd(directory))
            guard open.node.isDirectory else { throw .notDirectory }
            return (open.path ?? "/") + "/" + text
        }
        return text
    }

    /// `write` to an open file: the console, a device, a file of `/tmp`, or a pipe.
    func emit(_ bytes: ArraySlice<UInt8>, to open: OpenFile) throws(LinuxError) -> Int64 {
        switch open.node.content {
        case .device(.console): console(bytes)
        case .device: break   // /dev/null and friends swallow it
        case .writableFile: return Int64(try files.write(bytes, to: open))
        case .pipe:
            guard case .pipe(let end) = open.event else { throw .badFileDescriptor }
            return Int64(try writePipe(end, bytes))
        case .socket:
            guard case .socket(let socket) = open.event else { throw .badFileDescriptor }
            return Int64(try send(bytes, on: socket, to: nil, flags: 0))
        default: throw .badFileDescriptor
        }
        return Int64(bytes.count)
    }

    /// `read` from an open descriptor that holds bytes: a file, a device, or a pipe.
    func readBytes(_ descriptor: Int32, maximum: Int) throws(LinuxError) -> [UInt8] {
        let open = try files.file(descriptor)
        if case .socket(let socket) = open.event { return try receive(on: socket, maximum: maximum, flags: 0).bytes }
        if case .pipe(let end) = open.event {
            guard end.reading else { throw .badFileDescriptor }
            let bytes = try end.buffer.take(maximum: maximum)
            if !bytes.isEmpty { eventsChanged = true }
            return bytes
        }
        return try files.read(descriptor, maximum: maximum, random: random)
    }

    func isEventDescriptor(_ descriptor: UInt64) -> Bool {
        switch (try? files.file(fd(descriptor)))?.event {
        case .counter, .timer, .poll: true
        default: false
        }
    }

    func fileControl(_ descriptor: Int32, command: Int32, argument: UInt64) throws(LinuxError) -> Int64 {
        let open = try files.file(descriptor)
        switch command {
        case 0, 1030: return Int64(try files.duplicate(descriptor, lowest: Int32(truncatingIfNeeded: argument)))   // F_DUPFD, F_DUPFD_CLOEXEC
        case 1: return files.closeOnExec[Int(descriptor)] ? 1 : 0   // F_GETFD
        case 2: files.closeOnExec[Int(descriptor)] = argument & 1 != 0; return 0   // F_SETFD
        case 3: return Int64(open.flags)   // F_GETFL
        case 4:   // F_SETFL: O_APPEND and O_NONBLOCK may change
            let changeable = OpenFlags.append | OpenFlags.nonBlocking
            open.flags = open.flags & ~changeable | Int32(truncatingIfNeeded: argument) & changeable
            return 0
        default: throw .invalidArgument
        }
    }

    func mapMemory(address: UInt64, length: UInt64, protection: UInt64, flags: UInt64, descriptor: Int64) throws(LinuxError) -> Int64 {
        let shared: UInt64 = 0x01, priv: UInt64 = 0x02, fixed: UInt64 = 0x10, anonymous: UInt64 = 0x20
        let fixedNoReplace: UInt64 = 0x100000
        let allowed: UInt64 = shared | priv | fixed | anonymous | 0x100 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | fixedNoReplace | 0x800   // GROWSDOWN, NORESERVE, POPULATE, NONBLOCK, STACK, DENYWRITE
        guard flags & ~allowed == 0, (flags & shared != 0) != (flags & priv != 0), protection & ~UInt64(7) == 0 else { throw .invalidArgument }
        guard flags & anonymous != 0 else { throw .notImplemented }   // file mappings: not yet
        let placement: MemoryMappings.Placement = flags & fixedNoReplace != 0 ? .fixedNoReplace(address)
            : flags & fixed != 0 ? .fixed(address) : .anywhere(hint: address == 0 ? nil : address & ~4095)
        let result = try mappings.map(length: length, protection: .init(rawValue: UInt32(protection)), placement: placement)
        released += result.replaced
        return Int64(bitPattern: result.address)
    }

    /// `brk`: moves the break within [start, start + limit] (mapping or releasing the pages
    /// between), and answers where it is — the old place if the move was refused, as Linux does.
    func setBreak(_ requested: UInt64) -> UInt64 {
        guard requested >= breakStart, requested - breakStart <= breakLimit else { return breakCurrent }
        let oldTop = (breakCurrent &+ 4095) & ~4095, newTop = (requested &+ 4095) & ~4095
        if newTop > oldTop {
            guard (try? mappings.map(length: newTop - oldTop, protection: [.read, .write], placement: .fixedNoReplace(oldTop))) != nil else { return breakCurrent }
        } else if newTop < oldTop {
            released += (try? mappings.unmap(address: newTop, length: oldTop - newTop)) ?? []
        }
        breakCurrent = requested
        return breakCurrent
    }

    /// The status `newfstatat` and `statx` report: of the file at the path relative to
    /// `directory`, or of `directory` itself for an empty path with AT_EMPTY_PATH; the final
    /// link is followed unless AT_SYMLINK_NOFOLLOW.
    func status(directory: UInt64, path address: UInt64, flags: UInt64, _ memory: some ProgramMemory) throws(LinuxError) -> FileDescriptorTable.Status {
        let given = try path(address, memory, relativeTo: directory, allowingEmpty: flags & 0x1000 != 0)
        if given.isEmpty { return try files.status(fd(directory)) }
        return Self.status(of: try files.fileSystem.lookup(given, followingFinalLink: flags & 0x100 == 0))
    }

    /// A `struct statx` (256 bytes) with the basic fields Linux fills (STATX_BASIC_STATS).
    static func encodeStatx(_ status: FileDescriptorTable.Status) -> [UInt8] {
        var bytes: [UInt8] = []
        LittleEndian.append(UInt32(0x7FF), to: &bytes)                       // stx_mask: STATX_BASIC_STATS
        LittleEndian.append(UInt32(status.blockSize), to: &bytes)
        LittleEndian.append(UInt64(0), to: &bytes)                           // attributes
        LittleEndian.append(UInt32(truncatingIfNeeded: status.links), to: &bytes)
        LittleEndian.append(UInt32(0), to: &bytes)                           // uid
        LittleEndian.append(UInt32(0), to: &bytes)                           // gid
        LittleEndian.append(UInt16(truncatingIfNeeded: status.mode), to: &bytes)
        LittleEndian.append(UInt16(0), to: &bytes)
        LittleEndian.append(status.inode, to: &bytes)
        LittleEndian.append(UInt64(status.size), to: &bytes)
        LittleEndian.append(UInt64((status.size + 511) / 512), to: &bytes)   // 512-byte blocks
        LittleEndian.append(UInt64(0), to: &bytes)                           // attributes_mask
        bytes += Array(repeating: 0, count: 256 - bytes.count)               // times (the epoch), devices, spare
        return bytes
    }

    static func status(of node: FileNode) -> FileDescriptorTable.Status {
        FileDescriptorTable.Status(inode: node.inode, mode: node.mode, size: node.size, links: node.isDirectory ? 2 : 1, blockSize: 4096)
    }

    /// `struct stat` as x86-64 Linux lays it out (144 bytes).
    static func encode(_ status: FileDescriptorTable.Status) -> [UInt8] {
        var bytes: [UInt8] = []
        LittleEndian.append(UInt64(1), to: &bytes)                 // st_dev
        LittleEndian.append(status.inode, to: &bytes)              // st_ino
        LittleEndian.append(status.links, to: &bytes)              // st_nlink
        LittleEndian.append(status.mode, to: &bytes)               // st_mode
        LittleEndian.append(UInt32(0), to: &bytes)                 // st_uid
        LittleEndian.append(UInt32(0), to: &bytes)                 // st_gid
        LittleEndian.append(UInt32(0), to: &bytes)                 // padding
        LittleEndian.append(UInt64(0), to: &bytes)                 // st_rdev
        LittleEndian.append(Int64(status.size), to: &bytes)        // st_size
        LittleEndian.append(Int64(status.blockSize), to: &bytes)   // st_blksize
        LittleEndian.append(Int64((status.size + 511) / 512), to: &bytes)   // st_blocks
        bytes += Array(repeating: 0, count: 144 - bytes.count)     // times and reserved
        return bytes
    }
}

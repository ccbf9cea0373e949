import Foundation
import Testing
import CPIO
import HostDoubles
import HostProcess
import LinuxABI

/// The dispatcher, call by call, with struct layouts checked against glibc's own (a C program
/// gcc builds here prints `offsetof` and `sizeof`).
@Suite("The Linux process and its system calls")
struct LinuxProcessTests {
    typealias N = SystemCallNumber

    final class Harness {
        var output: [UInt8] = []
        var traced: [String] = []
        let memory = SimulatedProgramMemory()
        var process: LinuxProcess!
        init() {
            var extras = FileSystemTests.links.map { FileSystem.Extra.symbolicLink(path: $0.key, target: $0.value) }
            extras += [.device(path: "/dev/null", .null), .device(path: "/dev/console", .console), .symbolicLink(path: "/proc/self/exe", target: "/bin/tool")]
            let tree = FileSystem(archive: CPIOArchiveFixture.tree().reader, extras: extras, temporary: TemporaryStore(capacity: 1 << 20))
            let files = FileDescriptorTable(fileSystem: tree, console: try! tree.lookup("/dev/console"))
            process = LinuxProcess(mappings: MemoryMappings(window: 0x0040_0000..<0x2000_0000), files: files, programEnd: 0x0050_1234,
                                   processors: 2, console: { [unowned self] in self.output += $0 }, monotonicClock: { 5_000_000_123 },
                                   realTimeClock: { 1_700_000_000_000_000_007 }, random: { Array(repeating: 0xAB, count: $0) })
            process.tracing = true
            process.trace = { [unowned self] in self.traced.append($0) }
        }
        func call(_ number: N, _ arguments: UInt64...) -> Int64 { process.handle(number.rawValue, arguments, memory: memory) }
    }

    /// glibc's layouts, from a C program built here.
    static func glibcLayout() throws -> [String: Int] {
        let program = """
            #include <stdio.h>
            #include <stddef.h>
            #include <sys/stat.h>
            #include <sys/utsname.h>
            #include <sys/resource.h>
            #include <time.h>
            int main(void) {
                printf("stat %zu\\nst_ino %zu\\nst_nlink %zu\\nst_mode %zu\\nst_size %zu\\nst_blksize %zu\\nst_blocks %zu\\n",
                       sizeof(struct stat), offsetof(struct stat, st_ino), offsetof(struct stat, st_nlink), offsetof(struct stat, st_mode),
                       offsetof(struct stat, st_size), offsetof(struct stat, st_blksize), offsetof(struct stat, st_blocks));
                printf("utsname %zu\\nrelease %zu\\nmachine %zu\\nrlimit %zu\\ntimespec %zu\\n", sizeof(struct utsname),
                       offsetof(struct utsname, release), offsetof(struct utsname, machine), sizeof(struct rlimit), sizeof(struct timespec));
                return 0;
            }
            """
        let text = String(decoding: try HostProcess.compileAndRunC(program), as: UTF8.self)
        var layout: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int(parts[1]) { layout[String(parts[0])] = value }
        }
        return layout
    }

    @Test func writeReachesTheConsoleAndBadDescriptorsAndPointersAreRefused() {
        let h = Harness()
        let text = h.memory.put("hello, Linux\n", at: 0x10_0100)
        #expect(h.call(.write, 1, text, 13) == 13 && h.output == Array("hello, Linux\n".utf8))
        #expect(h.call(.write, 9, text, 13) == LinuxError.badFileDescriptor.returnValue)
        #expect(h.call(.write, 1, 0xDEAD_0000, 13) == LinuxError.badAddress.returnValue)
        // writev of two pieces.
        _ = h.memory.write(0x10_0200, [0x00, 0x01, 0x10, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0x07, 0x01, 0x10, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0])
        #expect(h.call(.writev, 2, 0x10_0200, 2) == 13)
        // A bad piece after a good one ends the write there; a bad first piece is EFAULT.
        _ = h.memory.write(0x10_0220, [0x00, 0x01, 0x10, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAD, 0xDE, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0])
        #expect(h.call(.writev, 2, 0x10_0220, 2) == 6)
        #expect(h.call(.writev, 2, 0x10_0230, 1) == LinuxError.badAddress.returnValue)
        #expect(h.call(.writev, 2, 0x10_0200, 1025) == LinuxError.invalidArgument.returnValue)   // more than IOV_MAX
    }

    @Test func pipesPollAndSIGPIPEThroughTheSystemCalls() {
        let h = Harness()
        let ends: UInt64 = 0x10_0400, poll: UInt64 = 0x10_0500, text = h.memory.put("through the pipe", at: 0x10_0600)
        #expect(h.call(.pipe2, ends, 0o4000) == 0)                       // O_NONBLOCK
        let read = h.memory.word(ends) & 0xFFFF_FFFF, write = h.memory.word(ends) >> 32
        #expect((read, write) == (3, 4))
        #expect(h.call(.read, read, 0x10_0700, 64) == LinuxError.tryAgain.returnValue)
        // poll: the read end not ready, then ready once bytes are in; a closed descriptor is POLLNVAL.
        _ = h.memory.write(poll, [3, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0x99, 0, 0, 0, 1, 0, 0, 0])
        #expect(h.call(.poll, poll, 3, 0) == 2)                           // the write end is writable, 0x99 is not open
        #expect(h.memory.read(poll + 6, count: 2) == [0, 0] && h.memory.read(poll + 14, count: 2) == [4, 0] && h.memory.read(poll + 22, count: 2) == [0x20, 0])
        #expect(h.call(.write, write, text, 16) == 16)
        #expect(h.call(.ppoll, poll, 1, 0, 0, 8) == 1 && h.memory.read(poll + 6, count: 2) == [1, 0])
        #expect(h.call(.read, read, 0x10_0700, 64) == 16 && h.memory.read(0x10_0700, count: 16) == Array("through the pipe".utf8))
        #expect(h.call(.close, write) == 0)
        #expect(h.call(.read, read, 0x10_0700, 64) == 0)                 // end of file
        #expect(h.call(.poll, poll, 1, 0) == 1 && h.memory.read(poll + 6, count: 2) == [0x10, 0])   // POLLHUP
        #expect(h.call(.lseek, read, 0, 0) == LinuxError.illegalSeek.returnValue)
        #expect(h.call(.pipe2, ends, 0o100) == LinuxError.invalidArgument.returnValue)
        #expect(h.call(.pipe2, 0xDEAD_0000, 0) == LinuxError.badAddress.returnValue)
        // A write nobody can read: EPIPE once SIGPIPE is ignored; with the default action, the end.
        #expect(h.call(.close, read) == 0)
        #expect(h.call(.pipe, ends) == 0)
        #expect(h.call(.close, h.memory.word(ends) & 0xFFFF_FFFF) == 0)
        _ = h.memory.write(0x10_0800, [1] + Array(repeating: 0, count: 31))   // SIG_IGN
        #expect(h.call(.rtSigaction, 13, 0x10_0800, 0, 8) == 0)
        #expect(h.call(.write, h.memory.word(ends) >> 32, text, 1) == LinuxError.brokenPipe.returnValue && h.process.exitStatus == nil)
        _ = h.memory.write(0x10_0800, Array(repeating: 0, count: 32))         // SIG_DFL
        #expect(h.call(.rtSigaction, 13, 0x10_0800, 0, 8) == 0)
        #expect(h.call(.write, h.memory.word(ends) >> 32, text, 1) == LinuxError.brokenPipe.returnValue && h.process.exitStatus == 128 + 13)
    }

    @Test func selectKeepsTheReadyBitsAndRefusesClosedDescriptorsWithinTheTable() {
        let h = Harness()
        let ends: UInt64 = 0x10_0400, sets: UInt64 = 0x10_0500, text = h.memory.put("x", at: 0x10_0600)
        #expect(h.call(.pipe2, ends, 0) == 0)                                 // 3 reads, 4 writes
        _ = h.memory.write(sets, [0b0001_1000, 0, 0, 0, 0, 0, 0, 0])          // read set: 3 and 4
        _ = h.memory.write(sets + 8, [0b0001_1000, 0, 0, 0, 0, 0, 0, 0])      // write set: 3 and 4
        #expect(h.call(.select, 5, sets, sets + 8, 0, 0) == 1)
        #expect(h.memory.read(sets, count: 1) == [0] && h.memory.read(sets + 8, count: 1) == [0b0001_0000])   // only 4 is writable
        #expect(h.call(.write, 4, text, 1) == 1)
        _ = h.memory.write(sets, [0b0000_1000, 0, 0, 0, 0, 0, 0, 0])
        #expect(h.call(.select, 5, sets, 0, 0, 0) == 1 && h.memory.read(sets, count: 1) == [0b0000_1000])
        _ = h.memory.write(sets, [0, 0, 0, 0, 0, 0, 0, 0x80])                 // 63: closed, within the 64-entry table
        #expect(h.call(.select, 64, sets, 0, 0, 0) == LinuxError.badFileDescriptor.returnValue)
        _ = h.memory.write(sets, Array(repeating: 0, count: 8) + [1] + Array(repeating: 0, count: 7))   // 64: beyond the table
        #expect(h.call(.select, 65, sets, 0, 0, 0) == 0)
        _ = h.memory.write(0x10_0700, [0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x42, 0x0F, 0, 0, 0, 0, 0])   // 1,000,000 µs: invalid
        #expect(h.call(.select, 5, sets, 0, 0, 0x10_0700) == LinuxError.invalidArgument.returnValue)
        #expect(h.call(.select, 2000, sets, 0, 0, 0) == LinuxError.invalidArgument.returnValue)
    }

    @Test func tmpFilesThroughTheSystemCalls() {
        let h = Harness()
        let path = h.memory.put("/tmp/made", at: 0x10_0100), etc = h.memory.put("/etc", at: 0x10_0200), text = h.memory.put("0123456789", at: 0x10_0300)
        #expect(h.call(.umask, 0o027) == 0o022 && h.call(.umask, 0o022) == 0o027)
        let fd = h.call(.openat, UInt64(bitPattern: -100), path, UInt64(OpenFlags.create | OpenFlags.readWrite), 0o777)
        #expect(fd == 3)
        #expect(h.call(.write, 3, text, 10) == 10 && h.call(.pwrite64, 3, text, 4, 20) == 4)
        #expect(h.call(.fstat, 3, 0x10_0400) == 0 && h.memory.word(0x10_0400 + 48) == 24)                 // st_size
        #expect(h.memory.read(0x10_0400 + 24, count: 4) == [0xED, 0x81, 0, 0])                           // 0100755: the umask took 022
        #expect(h.call(.ftruncate, 3, 5) == 0 && h.call(.pread64, 3, 0x10_0500, 100, 0) == 5)
        #expect(h.call(.pwrite64, 3, text, 4, UInt64(bitPattern: -1)) == LinuxError.invalidArgument.returnValue)
        #expect(h.call(.fsync, 3) == 0 && h.call(.fchmod, 3, 0o600) == 0)
        #expect(h.call(.faccessat, UInt64(bitPattern: -100), etc, 2) == LinuxError.readOnlyFileSystem.returnValue)
        #expect(h.call(.faccessat, UInt64(bitPattern: -100), path, 2) == 0)
        #expect(h.call(.mkdirat, UInt64(bitPattern: -100), etc, 0o755) == LinuxError.exists.returnValue)
        let renamed = h.memory.put("/tmp/renamed", at: 0x10_0600)
        #expect(h.call(.renameat2, UInt64(bitPattern: -100), path, UInt64(bitPattern: -100), renamed, 1) == 0)   // RENAME_NOREPLACE
        #expect(h.call(.renameat2, UInt64(bitPattern: -100), renamed, UInt64(bitPattern: -100), renamed, 4) == LinuxError.invalidArgument.returnValue)
        #expect(h.call(.unlinkat, UInt64(bitPattern: -100), renamed, 0) == 0)
        #expect(h.call(.unlinkat, UInt64(bitPattern: -100), renamed, 0) == LinuxError.noEntry.returnValue)
        #expect(h.call(.read, 3, 0x10_0500, 100) == 0)   // the offset is at 10, past the 5 bytes left
    }

    @Test func filesOpenReadAndStatLikeGlibcExpects() throws {
        let layout = try Self.glibcLayout()
        let h = Harness()
        let path = h.memory.put("/etc/passwd", at: 0x10_0100)
        let fd = h.call(.openat, UInt64(bitPattern: -100), path, 0)
        #expect(fd == 3)
        #expect(h.call(.read, UInt64(fd), 0x10_1000, 4) == 4 && h.memory.read(0x10_1000, count: 4) == Array("root".utf8))
        #expect(h.call(.fstat, UInt64(fd), 0x10_2000) == 0)
        let size = try #require(layout["st_size"]), mode = try #require(layout["st_mode"]), stat = try #require(layout["stat"])
        #expect(stat == 144)
        #expect(h.memory.word(0x10_2000 + UInt64(size)) == UInt64(FileSystemTests.files["etc/passwd"]!.count))
        #expect(h.memory.word(0x10_2000 + UInt64(mode)) & 0xFFFF_FFFF == 0o100644)
        let blockSize = try #require(layout["st_blksize"])
        #expect(h.memory.word(0x10_2000 + UInt64(blockSize)) == 4096)
        #expect(h.call(.close, UInt64(fd)) == 0 && h.call(.close, UInt64(fd)) == LinuxError.badFileDescriptor.returnValue)
        #expect(h.call(.openat, UInt64(bitPattern: -100), h.memory.put("/missing", at: 0x10_0300), 0) == LinuxError.noEntry.returnValue)
        let exe = h.memory.put("/proc/self/exe", at: 0x10_0400)
        #expect(h.call(.readlink, exe, 0x10_3000, 100) == 9 && h.memory.read(0x10_3000, count: 9) == Array("/bin/tool".utf8))
        #expect(h.call(.newfstatat, UInt64(bitPattern: -100), exe, 0x10_2000, 0) == 0, "followed to the tool")
        #expect(h.call(.ioctl, 1, 0x5401, 0x10_4000) == LinuxError.notTerminal.returnValue)
        // statx: struct statx's size at 40, mode at 28, the basic-stats mask at 0 (linux/stat.h).
        #expect(h.call(.statx, UInt64(bitPattern: -100), path, 0, 0x7FF, 0x10_5000) == 0)
        #expect(h.memory.word(0x10_5000 + 40) == UInt64(FileSystemTests.files["etc/passwd"]!.count))
        #expect(h.memory.word(0x10_5000 + 28) & 0xFFFF == 0o100644)
        #expect(h.memory.word(0x10_5000) & 0xFFFF_FFFF == 0x7FF)
        #expect(h.call(.statx, UInt64(bitPattern: -100), h.memory.put("/missing", at: 0x10_0300), 0, 0x7FF, 0x10_5000) == LinuxError.noEntry.returnValue)
    }

    @Test func unameAndLimitsAreWhatGlibcAccepts() throws {
        let layout = try Self.glibcLayout()
        let h = Harness()
        #expect(try #require(layout["utsname"]) == 6 * 65)
        #expect(h.call(.uname, 0x10_1000) == 0)
        #expect(h.memory.string(at: 0x10_1000) == "Linux")
        let releaseOffset = try #require(layout["release"]), machineOffset = try #require(layout["machine"])
        let release = try #require(h.memory.string(at: 0x10_1000 + UInt64(releaseOffset)))
        let version = release.split(separator: ".").prefix(2).compactMap { Int($0) }
        #expect(version.count == 2 && (version[0] > 3 || (version[0] == 3 && version[1] >= 2)), "static glibc needs 3.2 or later: \(release)")
        #expect(h.memory.string(at: 0x10_1000 + UInt64(machineOffset)) == "x86_64")
        #expect(try #require(layout["rlimit"]) == 16)
        #expect(h.call(.prlimit64, 0, 3, 0, 0x10_2000) == 0 && h.memory.word(0x10_2000) == 8 << 20, "an 8 MiB stack")
        #expect(h.call(.schedGetaffinity, 0, 128, 0x10_3000) == 8 && h.memory.word(0x10_3000) == 3, "two processors")
        #expect(h.call(.clockGettime, 1, 0x10_4000) == 0 && h.memory.word(0x10_4000) == 5 && h.memory.word(0x10_4008) == 123)
        #expect(try #require(layout["timespec"]) == 16)
        #expect(h.call(.clockGettime, 99, 0x10_4000) == LinuxError.invalidArgument.returnValue)
        #expect(h.call(.getrandom, 0x10_5000, 16, 0) == 16 && h.memory.read(0x10_5000, count: 2) == [0xAB, 0xAB])
        #expect(h.call(.getrandom, 0x10_5000, 16, 8) == LinuxError.invalidArgument.returnValue)
    }

    @Test func memoryCallsFollowLinux() {
        let h = Harness()
        let start = UInt64(h.call(.brk, 0))
        #expect(start == 0x0050_2000, "the page after the program")
        #expect(h.call(.brk, start + 10_000) == Int64(start + 10_000))
        #expect(h.process.mappings.mapping(containing: start + 9_999)?.protection == [.read, .write])
        #expect(h.call(.brk, start + 100) == Int64(start + 100) && h.process.released.count == 1, "shrinking releases the pages")
        #expect(h.call(.brk, 1) == Int64(start + 100), "a refused move answers the old break")
        let anonymous = h.call(.mmap, 0, 3 * 4096, 3, 0x22, UInt64(bitPattern: -1), 0)
        #expect(anonymous == 0x2000_0000 - 3 * 4096)
        #expect(h.call(.mprotect, UInt64(anonymous), 4096, 0) == 0)
        #expect(h.call(.munmap, UInt64(anonymous) + 4096, 4096) == 0)
        #expect(h.call(.mmap, 0, 4096, 1, 0x02, 3, 0) == LinuxError.notImplemented.returnValue, "file mappings: not yet")
        #expect(h.call(.mmap, 0, 4096, 1, 0x03 | 0x20, UInt64(bitPattern: -1), 0) == LinuxError.invalidArgument.returnValue, "shared and private")
        #expect(h.call(.mmap, 0, 0, 1, 0x22, UInt64(bitPattern: -1), 0) == LinuxError.invalidArgument.returnValue)
    }

    @Test func threadAndSignalSetUpIsRecorded() {
        let h = Harness()
        #expect(h.call(.archPrctl, 0x1002, 0x7000_1000) == 0 && h.process.threadPointer == 0x7000_1000)
        #expect(h.call(.archPrctl, 0x1003, 0x10_1000) == 0 && h.memory.word(0x10_1000) == 0x7000_1000)
        #expect(h.call(.archPrctl, 0x3001, 0) == LinuxError.invalidArgument.returnValue, "ARCH_CET_STATUS")
        #expect(h.call(.setTidAddress, 0x10_2000) == 1 && h.process.clearChildThreadID == 0x10_2000)
        #expect(h.call(.rtSigaction, 2, 0x10_3000, 0, 8) == 0)
        #expect(h.call(.rtSigaction, 9, 0x10_3000, 0, 8) == LinuxError.invalidArgument.returnValue, "SIGKILL cannot be caught")
        #expect(h.call(.rtSigaction, 2, 0, 0x10_3000, 4) == LinuxError.invalidArgument.returnValue, "sigsetsize must be 8")
        #expect(h.call(.rtSigaction, UInt64.max, 0, 0, 8) == LinuxError.invalidArgument.returnValue, "a signal number past Int (it trapped; found by the syscalls fuzz target)")
        _ = h.memory.write(0x10_4000, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(h.call(.rtSigprocmask, 0, 0x10_4000, 0, 8) == 0 && h.process.signalMask & (1 << 8) == 0, "SIGKILL never blocked")
    }

    @Test func unknownCallsAreENOSYSAndTracedAndExitSetsTheStatus() {
        let h = Harness()
        #expect(h.call(.clone3, 0x10_1000, 88) == -38, "exactly -ENOSYS, so glibc falls back to clone")
        #expect(h.process.handle(999, [1, 2], memory: h.memory) == -38)
        #expect(h.traced.contains { $0.hasPrefix("clone3(0x101000, 0x58") && $0.hasSuffix("= -38 (errno 38)") })
        #expect(h.traced.contains { $0.hasPrefix("unknown system call 999(") })
        #expect(h.call(.exitGroup, 300) == 0 && h.process.exitStatus == 300 & 0xFF)
    }
}

/// The tree of ``FileSystemTests`` as an archive reader.
struct CPIOArchiveFixture {
    let reader: CPIOReader
    static func tree() -> CPIOArchiveFixture {
        var archive = CPIOArchive()
        for directory in ["etc", "bin", "data", "data/sub", "emptydir"] { archive.append(.directory(path: directory, mode: 0o755)) }
        for (path, bytes) in FileSystemTests.files.sorted(by: { $0.key < $1.key }) { archive.append(.file(path: path, mode: 0o644, contents: bytes)) }
        return CPIOArchiveFixture(reader: try! CPIOReader(parsing: archive.bytes))
    }
}

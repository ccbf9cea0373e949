import Testing
import LinuxABI

/// `/proc/<tid>/stat`: what libdispatch's worker monitor reads for each of its threads.
@Suite("Thread status files")
struct ThreadStatusFileTests {
    typealias N = SystemCallNumber

    func open(_ h: LinuxProcessTests.Harness, _ path: String) -> Int64 {
        _ = h.memory.write(0x10_0100, Array(path.utf8) + [0])
        return h.call(.openat, UInt64(bitPattern: -100), 0x10_0100, 0)
    }

    @Test func eachThreadHasItsStatusLineWithItsState() {
        let h = LinuxProcessTests.Harness()
        h.process.executable = "/bin/HummingbirdHelloWithALongName"
        h.process.threadState = { tid in tid == 1 ? UInt8(ascii: "R") : tid == 7 ? UInt8(ascii: "S") : nil }
        for (path, tid, state) in [("/proc/self/stat", 1, "R"), ("/proc/7/stat", 7, "S"), ("/proc/1/task/7/stat", 7, "S"),
                                   ("/proc/thread-self/stat", 1, "R"), ("/proc/self/task/1/stat", 1, "R")] {
            let descriptor = open(h, path)
            #expect(descriptor >= 3, "\(path)")
            let count = h.call(.read, UInt64(descriptor), 0x10_1000, 4096)
            let line = String(decoding: h.memory.read(0x10_1000, count: Int(max(0, count)))!, as: UTF8.self)
            let fields = line.split(separator: " ")
            #expect(fields.count == 52 && line.hasSuffix("\n"), "\(path): \(line)")
            #expect(fields.first == "\(tid)" && fields.dropFirst().first == "(HummingbirdHell)" && fields.dropFirst(2).first.map(String.init) == state, "\(path): \(line)")
            #expect(h.call(.close, UInt64(descriptor)) == 0)
        }
        #expect(open(h, "/proc/8/stat") == LinuxError.noEntry.returnValue)
        #expect(open(h, "/proc/2/task/1/stat") == LinuxError.noEntry.returnValue)
        _ = h.memory.write(0x10_0100, Array("/proc/self/stat".utf8) + [0])
        #expect(h.call(.openat, UInt64(bitPattern: -100), 0x10_0100, 1) == LinuxError.accessDenied.returnValue)
    }
}

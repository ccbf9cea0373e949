import Foundation
import Testing
import HostDoubles
import LinuxABI

/// The generated files read through the system calls, in the formats Linux uses: the same
/// parser must accept the host's own `/proc/self/maps` and ours.
@Suite("Generated files")
struct StandardFilesTests {
    /// A `/proc/self/maps` line as Linux prints it: `lo-hi perms offset dev inode [path]`.
    static func parse(_ line: Substring) -> (range: Range<UInt64>, permissions: String)? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 5 else { return nil }
        let bounds = fields[0].split(separator: "-")
        guard bounds.count == 2, bounds.allSatisfy({ $0.count >= 8 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() }),
              let low = UInt64(bounds[0], radix: 16), let high = UInt64(bounds[1], radix: 16), low < high else { return nil }
        let permissions = Array(fields[1])
        guard permissions.count == 4, "r-".contains(permissions[0]), "w-".contains(permissions[1]), "x-".contains(permissions[2]),
              "ps".contains(permissions[3]) else { return nil }
        guard fields[2].count >= 8, fields[2].allSatisfy(\.isHexDigit) else { return nil }
        let device = fields[3].split(separator: ":")
        guard device.count == 2, device.allSatisfy({ $0.count >= 2 && $0.allSatisfy(\.isHexDigit) }), UInt64(fields[4]) != nil else { return nil }
        return (low..<high, String(fields[1]))
    }

    @Test func procSelfMapsHasLinuxsFormatAndTheProcesssMappings() throws {
        let host = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        let hostLines = host.split(separator: "\n")
        #expect(!hostLines.isEmpty && hostLines.allSatisfy { Self.parse($0) != nil }, "the parser reads Linux's own file")

        let memory = SimulatedProgramMemory()
        let tree = FileSystem(archive: nil, extras: StandardFiles.extras(executable: "/hello", processors: 2, memoryBytes: 64 << 20, processorName: "QEMU TCG"))
        let process = LinuxProcess(mappings: MemoryMappings(window: 0x40_0000..<0x7FFF_0000_0000), files: FileDescriptorTable(fileSystem: tree, console: try tree.lookup("/dev/console")),
                                   programEnd: 0x50_0000, processors: 2, console: { _ in }, monotonicClock: { 0 }, realTimeClock: { 0 }, random: { Array(repeating: 1, count: $0) })
        process.executable = "/hello"
        process.programRange = 0x40_0000..<0x50_0000
        _ = try process.mappings.map(length: 0x10_0000, protection: [.read, .execute], placement: .fixed(0x40_0000))
        let anonymous = process.handle(SystemCallNumber.mmap.rawValue, [0, 8192, 3, 0x22, UInt64(bitPattern: -1), 0], memory: memory)
        #expect(anonymous > 0)
        let path = memory.put("/proc/self/maps", at: 0x10_0100)
        let fd = process.handle(SystemCallNumber.openat.rawValue, [UInt64(bitPattern: -100), path, 0], memory: memory)
        let count = process.handle(SystemCallNumber.read.rawValue, [UInt64(fd), 0x10_1000, 4096], memory: memory)
        let text = String(decoding: try #require(memory.read(0x10_1000, count: Int(count))), as: UTF8.self)
        let lines = text.split(separator: "\n")
        let parsed = lines.compactMap(Self.parse)
        #expect(parsed.count == lines.count && parsed.count == 2, "\(text)")
        #expect(parsed.first.map { $0.range == 0x40_0000..<0x50_0000 && $0.permissions == "r-xp" } == true)
        #expect(lines.first?.hasSuffix("/hello") == true, "the program's mapping names it")
        #expect(parsed.last.map { $0.range.lowerBound == UInt64(anonymous) && $0.permissions == "rw-p" } == true)
    }

    @Test func theOtherFilesSayWhatProgramsLookFor() throws {
        let tree = FileSystem(archive: nil, extras: StandardFiles.extras(executable: "/app", processors: 2, memoryBytes: 64 << 20, processorName: "QEMU TCG"))
        func contents(_ path: String) throws -> String {
            guard case .file(let bytes) = try tree.lookup(path).content else { return "" }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(try contents("/sys/devices/system/cpu/online") == "0-1\n" && contents("/sys/devices/system/cpu/possible") == "0-1\n")
        #expect(try contents("/proc/cpuinfo").components(separatedBy: "processor\t:").count - 1 == 2)
        #expect(try contents("/etc/passwd").hasPrefix("root:x:0:0:"))
        #expect(try contents("/proc/meminfo").contains("MemTotal:       65536 kB"))
        #expect(try tree.lookup("/proc/self/exe", followingFinalLink: false).size == 4)
        #expect(try tree.lookup("/tmp").isDirectory && tree.lookup("/dev/urandom").mode & 0o170000 == 0o020000)
        let single = FileSystem(archive: nil, extras: StandardFiles.extras(executable: "/app", processors: 1, memoryBytes: 1 << 20, processorName: "x"))
        guard case .file(let online) = try single.lookup("/sys/devices/system/cpu/online").content else { Issue.record("not a file"); return }
        #expect(Array(online) == Array("0\n".utf8))
    }
}

import Foundation
import Testing
import CPIO
import ELF
import HostProcess
import LinuxABI

/// Finding and preparing the program from the initrd, as the kernel will: a raw static
/// executable, a cpio archive GNU cpio made around one, and each way it can go wrong.
@Suite("Preparing a Linux program")
struct LinuxProgramTests {
    static func prepare(_ initrd: [UInt8]?, path: String? = nil, arguments: [String] = ["--flag"]) throws(LinuxProgram.Failure) -> LinuxProgram {
        try LinuxProgram(initrd: initrd, executablePath: path, arguments: arguments, processors: 2, memoryBytes: 64 << 20,
                         random: Array(repeating: 9, count: 16), hardwareCapabilities: 0)
    }

    @Test func aRawStaticExecutableIsTheProgram() throws {
        let program = try Self.prepare(try InitialStackTests.gccStaticBytes())
        #expect(program.path == "/program" && program.plan.entry == program.executable.entry)
        let stack = try #require(InitialStackTests.Image(stack: program.stack).read())
        #expect(stack.arguments == ["/program", "--flag"] && stack.environment.contains("GLIBC_TUNABLES=glibc.malloc.arena_max=1"))
        #expect(try program.fileSystem.lookup("/proc/self/exe").size == program.executable.file.bytes.count, "/proc/self/exe is the program")
    }

    @Test func aCpioFromGNUCpioGivesTheProgramAndItsFiles() throws {
        let directory = try HostProcess.temporaryDirectory("program")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try Data(try InitialStackTests.gccStaticBytes()).write(to: directory.appendingPathComponent("bin/hello"))
        try "some data\n".write(to: directory.appendingPathComponent("etc/data.txt"), atomically: true, encoding: .utf8)
        let archive = [UInt8](try HostProcess.run("/usr/bin/cpio", ["-o", "-H", "newc", "--quiet"], in: directory,
                                                  input: Data("bin\nbin/hello\netc\netc/data.txt\n".utf8)))
        let program = try Self.prepare(archive, path: "bin/hello")
        #expect(program.path == "/bin/hello")
        let stack = try #require(InitialStackTests.Image(stack: program.stack).read())
        #expect(stack.arguments.first == "/bin/hello")
        guard case .file(let data) = try program.fileSystem.lookup("/etc/data.txt").content else { Issue.record("no data file"); return }
        #expect(String(decoding: data, as: UTF8.self) == "some data\n")
        #expect(try program.fileSystem.lookup("/proc/self/exe").size == program.executable.file.bytes.count)
        #expect(throws: LinuxProgram.Failure.noExecutable("/init")) { try Self.prepare(archive) }
    }

    @Test func eachFailureSaysWhatWentWrong() throws {
        #expect(throws: LinuxProgram.Failure.noInitrd) { try Self.prepare(nil) }
        #expect(LinuxProgram.Failure.noInitrd.description.contains("-initrd"))
        #expect(throws: LinuxProgram.Failure.notAnExecutable(path: "/program", .notELF)) { try Self.prepare(Array("#!/bin/sh\n".utf8)) }
        let dynamic = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "/bin/ls")))
        #expect(throws: LinuxProgram.Failure.notAnExecutable(path: "/program", .dynamicallyLinked)) { try Self.prepare(dynamic) }
        #expect(LinuxProgram.Failure.notAnExecutable(path: "/program", .dynamicallyLinked).description.contains("-static"))
        #expect(throws: LinuxProgram.Failure.badArchive(.badHeader(offset: 0))) { try Self.prepare(Array("070701".utf8) + Array(repeating: 0x30, count: 104)) }
        #expect(throws: LinuxProgram.Failure.badArguments(.stringHoldsNUL)) {
            try Self.prepare(try InitialStackTests.gccStaticBytes(), arguments: ["a\u{0}b"])
        }
    }
}

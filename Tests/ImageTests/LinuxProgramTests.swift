import Foundation
import Testing
import HermitKit

/// Unmodified static Linux programs — built by the host's gcc (glibc), musl-gcc and swiftc,
/// and Debian's busybox — booted on SwiftyHermit the way `hermit run <executable>` boots them,
/// their output and exit status compared with the same binary run on the host.
extension ImageTests {
    /// A temporary directory for one test's programs and files.
    static func scratch(_ purpose: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hermit-\(purpose)-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `command` on the host; its output and exit status.
    static func host(_ command: String, _ arguments: [String], in directory: URL? = nil) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    /// Compiles `Programs/<source>` with `compiler` into `directory`.
    static func compile(_ source: String, with compiler: String, flags: [String], into directory: URL, name: String) throws -> URL {
        let output = directory.appendingPathComponent(name)
        let path = root.appendingPathComponent("Tests/ImageTests/Programs/\(source)").path
        let result = try host(compiler, flags + ["-o", output.path, path])
        guard result.status == 0 else { throw HermitError("\(compiler) \(source) failed: \(result.output)") }
        return output
    }

    /// Boots `executable` as `hermit run` does; the program's own output (the kernel's
    /// `hermit:` lines and carriage returns taken out) and the outcome.
    func runProgram(_ executable: URL, arguments: [String] = [], files: [String] = [], cpus: Int = 1,
                    memory: String? = nil, kernelWords: String? = nil) throws -> (output: String, outcome: QEMURunner.Outcome, log: String) {
        var config = try ExecutableRun.config(for: executable.path, memory: memory, cpus: cpus, arguments: arguments)
        config.files = files
        if let kernelWords { config.commandLine = kernelWords }
        config.timeoutSeconds = 120
        let image = try builder.build(config)
        defer {
            try? FileManager.default.removeItem(at: image.path)
            try? FileManager.default.removeItem(at: image.debugPath)
            if let initrd = image.initrd { try? FileManager.default.removeItem(at: initrd) }
        }
        let run = try QEMURunner(qemu: runner.qemu, accelerator: runner.accelerator, instructionCounting: false).run(image, echo: false)
        let lines = run.output.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
        let program = lines.filter { !$0.hasPrefix("hermit: ") && !$0.hasPrefix("[strace] ") && !$0.hasPrefix("qemu-system") }.joined(separator: "\n")
        return (program, run.outcome, run.output)
    }

    /// Builds `Programs/<name>.c` statically with `compiler`, runs it on the host and on
    /// SwiftyHermit with `cpus` processors, and expects the same output and exit status (0,
    /// after a last line "done", when `endsWithDone`).
    func expectTheHostsOutput(_ name: String, compiler: String, cpus: Int, endsWithDone: Bool = true,
                              flags: [String] = ["-static", "-O2", "-pthread"], label: String = "") throws {
        let directory = try ImageTests.scratch("\(name)\(label)-\(compiler)-\(cpus)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("\(name).c", with: "/usr/bin/\(compiler)", flags: flags, into: directory, name: name)
        let expected = try ImageTests.host(program.path, [])
        if endsWithDone { #expect(expected.status == 0 && expected.output.hasSuffix("done\n"), "host: \(expected.output)") }
        let run = try runProgram(program, cpus: cpus)
        #expect(run.outcome == .exited(expected.status), "\(run.log)")
        #expect(run.output.hasPrefix(expected.output), "host:\n\(expected.output)\nSwiftyHermit:\n\(run.log)")
    }

    /// The kernel word `profile`: the program's output is unchanged, and at its end the
    /// kernel prints where the processors were and what the system calls cost, which
    /// `hermit bench hummingbird --profile` reads.
    @Test func theProfileWordReportsSamplesAndSystemCalls() throws {
        let directory = try ImageTests.scratch("profile")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("pthreads.c", with: "/usr/bin/gcc", flags: ["-static", "-O2", "-pthread"], into: directory, name: "pthreads")
        let expected = try ImageTests.host(program.path, [])
        let run = try runProgram(program, cpus: 2, kernelWords: "profile")
        #expect(run.outcome == .exited(expected.status), "\(run.log)")
        #expect(run.output.hasPrefix(expected.output), "host:\n\(expected.output)\nSwiftyHermit:\n\(run.log)")
        let profile = try #require(SampleProfile(parsing: run.log), "no profile in:\n\(run.log)")
        #expect(profile.total > 0 && !profile.places.isEmpty)
        #expect(profile.places.reduce(0) { $0 + $1.samples } <= profile.total)
        #expect(run.log.contains("hermit: calls name count lock-wait-us work-us sleep-us"))
        #expect(run.log.contains("hermit: calls write "), "\(run.log)")
    }

    /// The kernel word `memory_report`: at the end the kernel names all the RAM the program
    /// cost — the frames taken, the initrd module (whose frames went back to the allocator once
    /// copied: what is left is at most its two partial frames) and the program area.
    @Test func theMemoryReportCountsEveryPartAndTheModuleIsGivenBack() throws {
        let directory = try ImageTests.scratch("memory-report")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("pthreads.c", with: "/usr/bin/gcc", flags: ["-static", "-O2", "-pthread"], into: directory, name: "pthreads")
        let run = try runProgram(program, kernelWords: "memory_report")
        #expect(run.outcome == .exited(0), "\(run.log)")
        let line = try #require(run.log.split(whereSeparator: \.isNewline).first { $0.hasPrefix("hermit: memory in use ") }, "\(run.log)")
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        try #require(numbers.count == 5, "\(line)")
        let (used, total, frames, module, area) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])
        #expect(used == frames + module + area && total > used, "\(line)")
        #expect(module < 8, "the module's whole frames were given back: \(line)")
        #expect(area > 0, "an ET_EXEC program lives in the program area: \(line)")
    }

    @Test(arguments: [("gcc", 1), ("gcc", 2), ("musl-gcc", 1), ("musl-gcc", 2)])
    func aPthreadsProgramGivesTheHostsOutput(compiler: String, cpus: Int) throws {
        try expectTheHostsOutput("pthreads", compiler: compiler, cpus: cpus, endsWithDone: false)
    }

    /// Priority-inheritance mutexes, the FUTEX_LOCK_PI family libdispatch's locks use:
    /// contended, and their error answers, as on the host.
    @Test(arguments: [("gcc", 1), ("gcc", 2), ("musl-gcc", 2)])
    func priorityInheritanceMutexesGiveTheHostsOutput(compiler: String, cpus: Int) throws {
        try expectTheHostsOutput("pimutex", compiler: compiler, cpus: cpus)
    }

    @Test(arguments: [("gcc", 1), ("gcc", 2), ("musl-gcc", 1)])
    func filesInTmpAndPipesBehaveAsOnTheHost(compiler: String, cpus: Int) throws {
        try expectTheHostsOutput("files", compiler: compiler, cpus: cpus)
    }

    @Test(arguments: [("gcc", 1), ("gcc", 2), ("musl-gcc", 1)])
    func loopbackSocketsBehaveAsOnTheHost(compiler: String, cpus: Int) throws {
        try expectTheHostsOutput("sockets", compiler: compiler, cpus: cpus)
    }

    @Test func aWriteToAPipeNobodyReadsEndsTheProgramWithSIGPIPE() throws {
        let directory = try ImageTests.scratch("sigpipe")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("files.c", with: "/usr/bin/gcc", flags: ["-static", "-O2", "-pthread"], into: directory, name: "files")
        let run = try runProgram(program, arguments: ["sigpipe"])
        #expect(run.outcome == .exited(128 + 13), "\(run.log)")
        #expect(run.output.contains("writing to a pipe nobody reads") && !run.output.contains("not reached"), "\(run.log)")
    }

    @Test(arguments: [1, 2])
    func avxStateIsTheProgramsAcrossThreadSwitches(cpus: Int) throws {
        let directory = try ImageTests.scratch("avx-\(cpus)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("avx.c", with: "/usr/bin/gcc", flags: ["-static", "-O2", "-mavx2", "-pthread"],
                                             into: directory, name: "avx")
        let run = try runProgram(program, cpus: cpus)
        #expect(run.outcome == .exited(0), "\(run.log)")
        #expect(!run.output.contains("avx2 usable: 0") && run.output.contains("avx2 usable: "), "\(run.log)")
        #expect(run.output.contains("ymm kept across switches: yes"), "\(run.log)")
    }

    /// A static PIE (glibc relocates itself) goes into the user area at Linux's PIE base.
    @Test func aStaticPIEGivesTheHostsOutput() throws {
        try expectTheHostsOutput("pthreads", compiler: "gcc", cpus: 1, endsWithDone: false, flags: ["-static-pie", "-O2", "-pthread"], label: "pie")
    }

    @Test(arguments: [1, 2])
    func busyboxAppletsGiveTheHostsOutput(cpus: Int) throws {
        let directory = try ImageTests.scratch("busybox-\(cpus)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try (1...3000).map { "line \($0 * 7919 % 3001) of \($0)" }.joined(separator: "\n").write(to: data.appendingPathComponent("lines.txt"), atomically: true, encoding: .utf8)
        try Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }).write(to: data.appendingPathComponent("bytes.bin"))
        let lines = data.appendingPathComponent("lines.txt").path, bytes = data.appendingPathComponent("bytes.bin").path
        // The files sit at the same absolute paths in the guest as on the host, so the outputs
        // (which name them) can be compared as they are.
        let applets: [[String]] = [["sha256sum", lines, bytes], ["md5sum", bytes], ["sort", lines], ["wc", lines, bytes],
                                   ["grep", "-c", "7", lines], ["sed", "-n", "100,105p;2990,$p", lines], ["uniq", "-c", lines]]
        for applet in applets {
            let expected = try ImageTests.host("/bin/busybox", applet)
            let run = try runProgram(URL(fileURLWithPath: "/bin/busybox"), arguments: applet, files: ["\(data.path):\(data.path)"], cpus: cpus)
            #expect(run.outcome == .exited(expected.status), "\(applet): \(run.log)")
            #expect(run.output.hasPrefix(expected.output) && !expected.output.isEmpty,
                    "\(applet.joined(separator: " ")): host \(expected.output.count) bytes, SwiftyHermit:\n\(run.log.suffix(2000))")
        }
    }

    @Test(arguments: [1, 2])
    func aStaticSwiftProgramGivesTheHostsOutput(cpus: Int) throws {
        let directory = try ImageTests.scratch("swift-\(cpus)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let swiftc = URL(fileURLWithPath: try Toolchain.locate().swift).deletingLastPathComponent().appendingPathComponent("swiftc").path
        let program = try ImageTests.compile("hello.swift", with: swiftc, flags: ["-static-executable", "-O"], into: directory, name: "hello")
        let expected = try ImageTests.host(program.path, ["one", "two"])
        let run = try runProgram(program, arguments: ["one", "two"], cpus: cpus)
        #expect(run.outcome == .exited(0), "\(run.log)")
        #expect(run.output.hasPrefix(expected.output.replacingOccurrences(of: "\r", with: "")), "host:\n\(expected.output)\nSwiftyHermit:\n\(run.log)")
    }

    @Test(arguments: [1, 2])
    func aFoundationAndDispatchProgramGivesTheHostsOutput(cpus: Int) throws {
        let directory = try ImageTests.scratch("foundation-\(cpus)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let swiftc = URL(fileURLWithPath: try Toolchain.locate().swift).deletingLastPathComponent().appendingPathComponent("swiftc").path
        let program = try ImageTests.compile("foundation.swift", with: swiftc, flags: ["-static-executable", "-O"], into: directory, name: "foundation")
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let input = data.appendingPathComponent("input.txt")
        try (1...50).map(String.init).joined(separator: "\n").appending("\n").write(to: input, atomically: true, encoding: .utf8)
        let expected = try ImageTests.host(program.path, [input.path])
        #expect(expected.status == 7 && expected.output.contains("file: 50 lines"), "host: \(expected.output)")
        let run = try runProgram(program, arguments: [input.path], files: ["\(data.path):\(data.path)"], cpus: cpus, memory: "512M")
        #expect(run.outcome == .exited(7), "\(run.log.suffix(3000))")
        #expect(run.output.hasPrefix(expected.output), "host:\n\(expected.output)\nSwiftyHermit:\n\(run.log.suffix(3000))")
    }

    @Test func aSegfaultEndsTheProgramLikeLinuxWithStatus139() throws {
        let directory = try ImageTests.scratch("segfault")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("failures.c", with: "/usr/bin/gcc", flags: ["-static", "-O1"], into: directory, name: "failures")
        let run = try runProgram(program, arguments: ["segfault"])
        #expect(run.outcome == .exited(139), "\(run.log)")
        #expect(run.output.contains("about to fault"))
        #expect(run.log.contains("segfault at 0x10 ip 0x"), "\(run.log)")
        #expect(run.log.contains("killed by signal 11 (SIGSEGV)"))
    }

    @Test func anUnknownSystemCallIsENOSYSWithALogLineAndTheProgramGoesOn() throws {
        let directory = try ImageTests.scratch("enosys")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("failures.c", with: "/usr/bin/musl-gcc", flags: ["-static", "-O1"], into: directory, name: "failures")
        let run = try runProgram(program, arguments: ["enosys"])
        #expect(run.outcome == .exited(0), "\(run.log)")
        #expect(run.output.contains("syscall 999 = -1, errno 38 (ENOSYS)"), "\(run.log)")
        #expect(run.output.contains("still running"))
        #expect(run.log.contains("hermit: unknown system call 999(0x1, 0x2, 0x3"), "\(run.log)")
    }

    @Test(arguments: [0, 3, 42, 100, 126, 137])
    func theProgramsExitStatusIsHermitRunsStatus(status: Int) throws {
        let directory = try ImageTests.scratch("exit-\(status)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("failures.c", with: "/usr/bin/gcc", flags: ["-static", "-O1"], into: directory, name: "failures")
        let run = try runProgram(program, arguments: ["exit", String(status)])
        #expect(run.outcome == .exited(Int32(status)), "\(run.log)")
    }

    @Test func whatCannotRunIsRefusedWithAReasonAndStatus126() throws {
        let directory = try ImageTests.scratch("refusals")
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("notes.txt")
        try "not a program\n".write(to: text, atomically: true, encoding: .utf8)
        let dynamic = try ImageTests.compile("failures.c", with: "/usr/bin/gcc", flags: ["-O1"], into: directory, name: "dynamic")
        let notELF = try runProgram(text)
        #expect(notELF.outcome == .exited(126), "\(notELF.log)")
        #expect(notELF.log.contains("hermit: cannot run the program: /notes.txt:"), "\(notELF.log)")
        let linked = try runProgram(dynamic)
        #expect(linked.outcome == .exited(126), "\(linked.log)")
        #expect(linked.log.contains("hermit: cannot run the program: /dynamic:"), "\(linked.log)")
        // The linux app booted without any initrd.
        var config = try ExecutableRun.config(for: text.path, memory: nil, cpus: 1, arguments: [])
        config.name = "linux-without-initrd"
        var image = try builder.build(config)
        defer { try? FileManager.default.removeItem(at: image.path); try? FileManager.default.removeItem(at: image.debugPath) }
        if let initrd = image.initrd { try? FileManager.default.removeItem(at: initrd) }
        image.initrd = nil
        let bare = try runner.run(image, echo: false)
        #expect(bare.outcome == .exited(126), "\(bare.output)")
        #expect(bare.output.contains("no program: boot with the executable"), "\(bare.output)")
    }
}

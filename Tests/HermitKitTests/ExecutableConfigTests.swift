import Foundation
import Testing
@testable import HermitKit

/// A config that names a Linux executable: the linux app and modules by default, and its
/// files, environment, arguments and strace on the command line the initrd's builder makes.
@Suite("Executable configs")
struct ExecutableConfigTests {
    @Test func anExecutableConfigBecomesTheLinuxAppWithItsCommandLine() throws {
        let text = [
            "executable = \"/bin/sh\"", "env = [\"A=1\"]", "arguments = [\"-c\", \"exit\"]",
            "strace = true", "cmdline = \"quiet -- first\"",
        ].joined(separator: "\n")
        let config = try ImageConfig.parse(text, name: "prog")
        #expect(config.app == "linux" && config.modules == ImageConfig.linuxModules)
        #expect(config.strace && config.environment == ["A=1"] && config.programArguments == ["-c", "exit"])
        let initrd = try ProgramInitrd(config: config, root: URL(fileURLWithPath: "/"))
        #expect(initrd.commandLine == "quiet strace env=A=1 exe=sh -- first -c exit")
        #expect(initrd.bytes.starts(with: Array("070701".utf8)))
    }

    @Test func whatOnlyAnExecutableTakesIsRefusedElsewhere() {
        #expect(throws: HermitError.self) { try ImageConfig.parse("app = \"hello\"\nmodules = [\"X86\", \"Boot\"]\nstrace = true", name: "x") }
        #expect(throws: HermitError.self) { try ImageConfig.parse("executable = \"/bin/sh\"\narguments = [\"a b\"]", name: "x") }
        #expect(throws: HermitError.self) { try ImageConfig.parse("executable = \"/bin/sh\"\nenv = [\"NOEQUALS\"]", name: "x") }
        #expect(throws: HermitError.self) { try ImageConfig.parse("executable = \"/bin/sh\"\napp = \"hello\"", name: "x") }
    }
}

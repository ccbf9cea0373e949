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

    @Test func aNetworkedExecutableLinksTheCardAndCarriesItsAddress() throws {
        let text = ["executable = \"/bin/sh\"", "network = \"user\"", "forward = [\"8080:80\"]",
                    "ip = \"10.0.2.20/24\"", "gateway = \"10.0.2.2\""].joined(separator: "\n")
        let config = try ImageConfig.parse(text, name: "server")
        #expect(config.machine == "q35" && config.forwards == ["8080:80"])
        #expect(config.modules == ImageConfig.linuxModules + ImageConfig.linuxNetworkModules)
        let initrd = try ProgramInitrd(config: config, root: URL(fileURLWithPath: "/"))
        #expect(initrd.commandLine == "ip=10.0.2.20/24 gateway=10.0.2.2 exe=sh --")
        for bad in ["ip = \"dhcp\"", "executable = \"/bin/sh\"\nip = \"dhcp\"",                       // no executable; no network
                    "executable = \"/bin/sh\"\nnetwork = \"user\"\nip = \"10.0.2/24\"",
                    "executable = \"/bin/sh\"\nnetwork = \"user\"\nip = \"dhcp\"\ngateway = \"10.0.2.2\"",   // a gateway needs a static address
                    "executable = \"/bin/sh\"\nnetwork = \"user\"\nmachine = \"microvm\""] {
            #expect(throws: HermitError.self, "\(bad)") { try ImageConfig.parse(bad, name: "x") }
        }
        var run = try ExecutableRun.config(for: "/bin/sh", memory: nil, cpus: 2, arguments: [])
        ExecutableRun.addNetwork(&run, forwards: ["9000:90"])
        #expect(run.network == "user" && run.machine == "q35" && run.modules.suffix(3) == ImageConfig.linuxNetworkModules[...])
    }
}

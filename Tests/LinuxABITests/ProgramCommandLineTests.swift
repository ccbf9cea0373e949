import Testing
import LinuxABI

/// The command line of an image that runs a Linux program: kernel words, `--`, arguments.
@Suite("Program command line")
struct ProgramCommandLineTests {
    @Test func kernelWordsThenTheProgramsArguments() {
        let line = ProgramCommandLine("strace env=A=1 exe=bin/tool -- --help  x=y -- z")
        #expect(line.kernelWords == ["strace", "env=A=1", "exe=bin/tool"])
        #expect(line.arguments == ["--help", "x=y", "--", "z"])
        #expect(line.tracing)
        #expect(line.executablePath == "bin/tool")
        #expect(line.environment == ["A=1"])
    }

    @Test func theEnvironmentReplacesDefaultsByName() {
        let line = ProgramCommandLine("env=HOME=/data env=X= env=HOME=/home")
        #expect(line.environment(over: ["HOME=/", "PATH=/bin"]) == ["PATH=/bin", "X=", "HOME=/home"])
        #expect(ProgramCommandLine("").arguments.isEmpty && !ProgramCommandLine("strace=0").tracing)
    }

    /// Any bytes: no trap, and every argument comes from after the first "--".
    @Test func anyTextIsTotal() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["--", " ", "env=", "=", "exe=", "strace", "a", "é", "\u{0}", "  "]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0..<20, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let line = ProgramCommandLine(text)
            #expect(line.kernelWords.allSatisfy { $0 != "--" })
            #expect(line.arguments.allSatisfy { !$0.isEmpty })
        }
    }
}

import Foundation
import Testing

/// The fence's compile-time guarantees, checked by compiling small files the way a module
/// outside X86 and Boot is compiled: what a safe module must not be able to write fails to
/// type-check (MustFail), and what it must be able to write type-checks (MustCompile).
///
/// The cases live in Tests/FenceCases (see its README); they type-check against the host
/// build's modules, which this target's dependencies make SwiftPM build first.
@Suite("The unsafe fence, from outside", .serialized)
struct FenceTests {
    /// The host build folder, or a failure explaining that there is none.
    func buildDirectory() throws -> URL {
        try #require(TypeCheck.buildDirectory(packageRoot: FenceCase.packageRoot),
                     "no host build with Modules/X86.swiftmodule (looked beside \(CommandLine.arguments.first ?? "?") and under \(FenceCase.packageRoot.path)/.build); run swift build first")
    }

    @Test func eachFolderHasCases() {
        #expect(!FenceCase.all(.mustFail).isEmpty, "no cases in \(FenceCase.directory.path)/MustFail")
        #expect(!FenceCase.all(.mustCompile).isEmpty, "no cases in \(FenceCase.directory.path)/MustCompile")
    }

    @Test(arguments: FenceCase.all(.mustFail))
    func mustFail(_ fenceCase: FenceCase) throws {
        try #require(!fenceCase.expectedErrors.isEmpty,
                     "\(fenceCase.testDescription) has no '// expected-error: <substring>' line at its top")
        let result = try TypeCheck.run(file: fenceCase.path, buildDirectory: buildDirectory())
        let report = "\n$ \(result.commandLine)\n\(result.output)"
        try #require(result.status != nil, "swiftc took longer than \(Int(TypeCheck.timeLimit)) s and was killed\(report)")
        #expect(result.status != 0 && result.hasErrors, "type-checked, but must not\(report)")
        let messages = result.diagnosticMessages
        for expected in fenceCase.expectedErrors {
            #expect(messages.contains { $0.contains(expected) }, "no diagnostic contains '\(expected)'\(report)")
        }
    }

    @Test(arguments: FenceCase.all(.mustCompile))
    func mustCompile(_ fenceCase: FenceCase) throws {
        let result = try TypeCheck.run(file: fenceCase.path, buildDirectory: buildDirectory())
        let report = "\n$ \(result.commandLine)\n\(result.output)"
        try #require(result.status != nil, "swiftc took longer than \(Int(TypeCheck.timeLimit)) s and was killed\(report)")
        #expect(result.status == 0 && !result.hasErrors, "must type-check, but did not\(report)")
    }
}

import Foundation

/// Type-checks one file with `swiftc` against the host build's modules, the way a module
/// outside the fence is compiled: strict memory safety, its diagnostics as errors.
///
/// Guarantees: the compiler runs at most ``timeLimit`` seconds; past that its whole process
/// group is killed and the result says so.
struct TypeCheck {
    /// How a run ended.
    struct Result {
        /// The compiler's exit status (nil when it was killed for taking too long).
        var status: Int32?
        /// Standard output and standard error, interleaved.
        var output: String
        /// The command line, for failure messages.
        var commandLine: String

        /// The messages of the `error:` and `note:` diagnostics, without file and position.
        /// Source excerpts the compiler prints are left out, so a case's own comments never
        /// match an expected substring.
        var diagnosticMessages: [String] {
            output.split(separator: "\n").compactMap { line in
                for kind in [": error: ", ": note: "] {
                    if let range = line.range(of: kind) { return String(line[range.lowerBound...].dropFirst(2)) }
                }
                return nil
            }
        }

        /// Whether any diagnostic is an error.
        var hasErrors: Bool { output.split(separator: "\n").contains { $0.contains(": error: ") || $0.hasPrefix("error: ") } }
    }

    /// Seconds a type-check may take.
    static let timeLimit: TimeInterval = 120

    /// The build folder of the host build (the one holding `Modules/X86.swiftmodule`), or nil.
    ///
    /// The folder the test bundle runs from comes first, so the modules checked against are the
    /// ones this `swift test` built; then the default build folders under the package root.
    static func buildDirectory(packageRoot: URL) -> URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").standardizedFileURL
        let candidates = [
            executable.deletingLastPathComponent(),
            executable.deletingLastPathComponent().deletingLastPathComponent(),
            packageRoot.appendingPathComponent(".build/debug"),
            packageRoot.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("Modules/X86.swiftmodule").path) }
    }

    /// The `swiftc` to run: `$SWIFTC`, else the first on `$PATH`, else the project's toolchain.
    static func compiler() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SWIFTC"], !explicit.isEmpty { return explicit }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/swiftc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/opt/swift/usr/bin/swiftc"
    }

    /// The arguments that check `file` against the modules in `buildDirectory`: its Swift
    /// modules through `-I`, and the C modules (X86Shim, BootEntry) through the module maps
    /// SwiftPM generated for them (`<target>.build/module.modulemap`). The file is compiled
    /// to SIL, not only type-checked, in Swift 6 mode, as the package's targets are: the
    /// data-race checks (region isolation, `sending`) are SIL passes that `-typecheck` skips.
    static func arguments(file: String, buildDirectory: URL) -> [String] {
        var arguments = ["-emit-sil", "-o", "/dev/null", "-swift-version", "6", "-parse-as-library",
                         "-strict-memory-safety", "-Werror", "StrictMemorySafety",
                         "-diagnostic-style", "llvm", "-I", buildDirectory.appendingPathComponent("Modules").path]
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: buildDirectory.path)) ?? []).sorted()
        for entry in entries where entry.hasSuffix(".build") {
            let moduleMap = buildDirectory.appendingPathComponent(entry).appendingPathComponent("module.modulemap")
            if FileManager.default.fileExists(atPath: moduleMap.path) {
                arguments += ["-Xcc", "-fmodule-map-file=\(moduleMap.path)"]
            }
        }
        return arguments + [file]
    }

    /// Runs the compiler on `file`.
    static func run(file: String, buildDirectory: URL) throws -> Result {
        let compiler = compiler()
        let arguments = arguments(file: file, buildDirectory: buildDirectory)
        let commandLine = ([compiler] + arguments).joined(separator: " ")
        // The output goes to a file, not a pipe, so a talkative compiler cannot block on a full pipe.
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("fence-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: compiler)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var status: Int32?
        if finished.wait(timeout: .now() + timeLimit) == .timedOut {
            // Foundation starts the child as the leader of its own process group: kill the driver
            // and the frontend it started.
            kill(-process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        } else {
            status = process.terminationStatus
        }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return Result(status: status, output: text, commandLine: commandLine)
    }
}

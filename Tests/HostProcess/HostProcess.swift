import Foundation

/// The host's own tools, run by tests that compare SwiftyHermit's parsers and system calls
/// with what the real thing does (gcc, GNU cpio, Python's `os` module, mount).
public enum HostProcess {
    /// A tool that could not start or did not succeed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `executable` with `arguments` (in `directory`, with `input` on its standard input);
    /// returns its standard output. Throws unless it exits with status 0.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe(), inputPipe = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = inputPipe
        try process.run()
        if let input { inputPipe.fileHandleForWriting.write(input) }
        try inputPipe.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return data
    }

    /// A new, empty directory under the system's temporary one (the caller removes it).
    public static func temporaryDirectory(_ purpose: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(purpose)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Compiles the C `source` with gcc and `flags`; returns the executable's bytes.
    public static func compileC(_ source: String, flags: [String]) throws -> [UInt8] {
        try withCompiledC(source, flags: flags) { [UInt8](try Data(contentsOf: $0)) }
    }

    /// Compiles the C `source` with gcc and runs it; returns what it printed.
    public static func compileAndRunC(_ source: String) throws -> Data {
        try withCompiledC(source, flags: []) { try run($0.path, []) }
    }

    static func withCompiledC<Result>(_ source: String, flags: [String], _ body: (URL) throws -> Result) throws -> Result {
        let directory = try temporaryDirectory("gcc")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("program.c"), output = directory.appendingPathComponent("program")
        try source.write(to: file, atomically: true, encoding: .utf8)
        try run("/usr/bin/gcc", flags + ["-o", output.path, file.path])
        return try body(output)
    }

    /// Runs `script` with python3 (`arguments` after it), feeding it `lines`; returns the lines
    /// it printed.
    public static func python(_ script: String, _ arguments: [String], lines: [String]) throws -> [String] {
        let output = try run("/usr/bin/env", ["python3", "-c", script] + arguments, input: Data(lines.map { $0 + "\n" }.joined().utf8))
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

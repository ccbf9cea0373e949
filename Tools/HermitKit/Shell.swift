import Foundation

/// Runs host programs.
public enum Shell {
    /// The result of a finished program.
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var timedOut: Bool
    }

    /// Runs `executable` with `arguments`, capturing standard output and error together;
    /// when `echo` is set, also copies them to this process's standard output as they come.
    /// Stops the program after `timeout` seconds.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: URL? = nil, echo: Bool = false, timeout: TimeInterval? = nil) throws(HermitError) -> Result {
        try BackgroundProcess(executable, arguments, environment: environment, directory: directory, echo: echo)
            .finish(timeout: timeout)
    }

    /// The full path of `program` on PATH (or in the Swift toolchain), or nil.
    public static func which(_ program: String) -> String? {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        directories += ["/usr/bin", "/usr/local/bin", "/opt/swift/usr/bin"]
        for directory in directories {
            let path = directory + "/" + program
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// A program started and running while the caller goes on; `Shell.run` is one of these,
/// finished at once.
///
/// Guarantees: standard output and error are collected together from the start; `finish`
/// always leaves no process behind (after the timeout it is terminated, then killed).
public final class BackgroundProcess {
    let process = Process()
    let pipe = Pipe()
    let collected: OutputCollector

    /// Starts `executable` with `arguments` (echoing its output when `echo` is set).
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: URL? = nil, echo: Bool = false) throws(HermitError) {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        collected = OutputCollector(echo: echo)
        let collector = collected
        pipe.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData) }
        do { try process.run() } catch {
            throw HermitError("cannot start \(executable): \(error.localizedDescription)")
        }
    }

    /// Everything the program printed so far.
    public var output: String { collected.text }

    public var isRunning: Bool { process.isRunning }

    /// Waits for the program to end, stopping it after `timeout` seconds (nil: no limit).
    public func finish(timeout: TimeInterval?) -> Shell.Result {
        var timedOut = false
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while process.isRunning {
            if let deadline, Date() > deadline {
                timedOut = true
                process.terminate()
                Thread.sleep(forTimeInterval: 0.5)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return Shell.Result(status: process.terminationStatus, output: collected.text, timedOut: timedOut)
    }
}

/// Collects a child's output from the pipe's reader thread.
final class OutputCollector: @unchecked Sendable {
    // SAFETY: every access to `data` holds `lock`.
    private let lock = NSLock()
    private var data = Data()
    private let echo: Bool

    init(echo: Bool) { self.echo = echo }

    func append(_ chunk: Data) {
        guard !chunk.isEmpty else { return }
        lock.lock()
        data.append(chunk)
        lock.unlock()
        if echo { FileHandle.standardOutput.write(chunk) }
    }

    var text: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

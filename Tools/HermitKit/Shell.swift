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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice

        let collected = OutputCollector(echo: echo)
        pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        do { try process.run() } catch {
            throw HermitError("cannot start \(executable): \(error.localizedDescription)")
        }
        var timedOut = false
        if let timeout {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning {
                if Date() > deadline {
                    timedOut = true
                    process.terminate()
                    Thread.sleep(forTimeInterval: 0.5)
                    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                    break
                }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        process.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return Result(status: process.terminationStatus, output: collected.text, timedOut: timedOut)
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

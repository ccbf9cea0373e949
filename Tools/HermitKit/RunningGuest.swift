import Foundation

/// A guest running in QEMU in the background, for tests and commands that talk to it while
/// it runs (an HTTP server, say).
///
/// Guarantees: the output is collected from the start; `waitForOutput` returns as soon as
/// the text appears, or false on timeout or when QEMU ends first; `finish` always leaves no
/// QEMU process behind (it is killed after the timeout).
public final class RunningGuest {
    let process: Process
    let collected: OutputCollector
    let pipe: Pipe
    let started = Date()

    init(executable: String, arguments: [String]) throws(HermitError) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        collected = OutputCollector(echo: false)
        let collector = collected
        pipe.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData) }
        do { try process.run() } catch { throw HermitError("cannot start \(executable): \(error.localizedDescription)") }
    }

    /// Everything the guest printed so far.
    public var output: String { collected.text }

    /// Waits until the output contains `text`.
    public func waitForOutput(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Waits for QEMU to end (killing it after `timeout`) and reports how.
    public func finish(timeout: TimeInterval) -> QEMURunner.Run {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                Thread.sleep(forTimeInterval: 0.5)
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        let outcome: QEMURunner.Outcome = timedOut ? .timedOut : .fromQEMUStatus(process.terminationStatus)
        return QEMURunner.Run(outcome: outcome, output: output, seconds: Date().timeIntervalSince(started))
    }
}

extension QEMURunner {
    /// Boots `target` in the background; `inNamespace` runs QEMU inside that network
    /// namespace (`ip netns exec`).
    public func launch(_ target: BootTarget, inNamespace namespace: String? = nil) throws(HermitError) -> RunningGuest {
        guard let namespace else { return try RunningGuest(executable: qemu, arguments: arguments(for: target)) }
        guard let ip = Shell.which("ip") else { throw HermitError("cannot find 'ip' (iproute2) to enter a network namespace") }
        return try RunningGuest(executable: ip, arguments: ["netns", "exec", namespace, qemu] + arguments(for: target))
    }
}

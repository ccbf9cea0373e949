import Foundation

/// A guest running in QEMU in the background, for tests and commands that talk to it while
/// it runs (an HTTP server, say).
///
/// Guarantees: the output is collected from the start; `waitForOutput` returns as soon as
/// the text appears, or false on timeout or when QEMU ends first; `finish` always leaves no
/// QEMU process behind (it is killed after the timeout).
public final class RunningGuest {
    let qemu: BackgroundProcess
    let started = Date()

    init(executable: String, arguments: [String]) throws(HermitError) {
        qemu = try BackgroundProcess(executable, arguments)
    }

    /// Everything the guest printed so far.
    public var output: String { qemu.output }
    /// Whether QEMU still runs.
    public var isRunning: Bool { qemu.isRunning }

    /// Waits until the output contains `text`.
    public func waitForOutput(_ text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(text) { return true }
            if !qemu.isRunning { return output.contains(text) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Waits for QEMU to end (killing it after `timeout`) and reports how.
    public func finish(timeout: TimeInterval) -> QEMURunner.Run {
        let result = qemu.finish(timeout: timeout)
        return QEMURunner.Run(outcome: .of(result), output: result.output, seconds: Date().timeIntervalSince(started))
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

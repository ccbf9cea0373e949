import Foundation

/// Boots images in QEMU and turns how the guest ended into an outcome.
///
/// Guarantees: the guest always ends: by writing to the debug-exit device (an app status or
/// a panic), by QEMU failing, by a reset (a triple fault: `-no-reboot` turns it into an exit),
/// or by the timeout. Each is reported distinctly; only an app status of 0 is success.
public struct QEMURunner: Sendable {
    /// The QEMU binary.
    public var qemu: String
    public var accelerator: Accelerator
    /// Count guest instructions with the TSC (`-icount shift=0,sleep=off`); TCG only.
    public var instructionCounting: Bool

    /// Under TCG, one host thread per virtual processor (`-accel tcg,thread=multi`); it
    /// excludes instruction counting, so figures are wall time.
    public var multiThreaded: Bool

    public init(qemu: String, accelerator: Accelerator, instructionCounting: Bool = true, multiThreaded: Bool = false) {
        self.qemu = qemu
        self.accelerator = accelerator
        self.multiThreaded = multiThreaded && accelerator == .tcg
        self.instructionCounting = instructionCounting && accelerator == .tcg && !self.multiThreaded
    }

    /// Finds qemu-system-x86_64.
    public static func locateQEMU() throws(HermitError) -> String {
        guard let qemu = Shell.which("qemu-system-x86_64") else {
            throw HermitError("cannot find qemu-system-x86_64; install it with 'apt-get install -y qemu-system-x86'")
        }
        return qemu
    }

    /// The QEMU command line for `image`.
    public func arguments(for image: BuiltImage) -> [String] { arguments(for: BootTarget(image)) }

    /// The QEMU command line for `target`: the same options for every kernel.
    public func arguments(for target: BootTarget) -> [String] {
        var arguments = ["-M", target.machine, "-m", "\(target.memoryKiB)K", "-smp", "\(target.cpus)"]
        switch accelerator {
        case .kvm: arguments += ["-accel", "kvm", "-cpu", "host"]
        case .tcg: arguments += ["-accel", multiThreaded ? "tcg,thread=multi" : "tcg", "-cpu", "max"]
        }
        if instructionCounting { arguments += ["-icount", "shift=0,sleep=off"] }
        arguments += [
            "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", target.kernel.path,
        ]
        if let disk = target.initialRAMDisk { arguments += ["-initrd", disk.path] }
        if let forwards = target.forwards {
            let rules = forwards.compactMap { PortForward($0).map { "," + $0.rule } }.joined()
            arguments += ["-netdev", "user,id=net0" + rules, "-device", "virtio-net-pci,netdev=net0,disable-legacy=on"]
        }
        if !target.commandLine.isEmpty { arguments += ["-append", target.commandLine] }
        return arguments + target.extraArguments
    }

    /// How a run ended.
    public enum Outcome: Equatable, Sendable {
        /// The app returned this status through the debug-exit device.
        case exited(Int32)
        /// The kernel panicked.
        case panicked
        /// The guest reset itself (a triple fault) or powered off without a status.
        case reset
        /// QEMU itself failed with this status.
        case qemuFailed(Int32)
        /// The guest ran past the config's timeout.
        case timedOut

        /// The exit status `hermit run` returns: the app's own status, 70 for a panic, 71 for
        /// a reset, 72 for a QEMU failure, 124 for a timeout.
        public var exitStatus: Int32 {
            switch self {
            case .exited(let status): status
            case .panicked: 70
            case .reset: 71
            case .qemuFailed: 72
            case .timedOut: 124
            }
        }

        /// How a finished QEMU process ended.
        public static func of(_ result: Shell.Result) -> Outcome {
            result.timedOut ? .timedOut : .fromQEMUStatus(result.status)
        }

        /// Decodes QEMU's exit status (debug-exit writes v, QEMU exits with (v << 1) | 1).
        public static func fromQEMUStatus(_ status: Int32) -> Outcome {
            if status == 0 { return .reset }
            guard status & 1 == 1, status > 1 else { return .qemuFailed(status) }
            let value = UInt32(status >> 1)
            if value == 0x7F { return .panicked }
            if value >= 0x10 && value <= 0x10 + 100 { return .exited(Int32(value - 0x10)) }
            if value >= 1 && value <= 15 { return .exited(Int32(128 + value)) }   // a Linux program killed by a signal
            if value >= 117 && value <= 126 { return .exited(Int32(value)) }      // a Linux program's status as it is
            return .qemuFailed(status)
        }
    }

    /// A finished run.
    public struct Run: Sendable {
        public var outcome: Outcome
        /// Everything the guest wrote to the serial console (and QEMU's own messages).
        public var output: String
        /// Wall time of the whole QEMU process, in seconds.
        public var seconds: Double
    }

    /// Boots `image` and waits for it to end.
    public func run(_ image: BuiltImage, echo: Bool) throws(HermitError) -> Run {
        // An image loaded above the end of RAM would run garbage and hang: refuse it.
        if let needed = image.memoryEnd, UInt64(image.config.memoryKiB) * 1024 < needed {
            throw HermitError("\(image.config.name): the image occupies memory up to \(needed / 1024) KiB, "
                              + "but 'memory' gives the VM only \(image.config.memoryKiB) KiB")
        }
        return try run(BootTarget(image), echo: echo)
    }

    /// Boots `target` and waits for it to end.
    public func run(_ target: BootTarget, echo: Bool) throws(HermitError) -> Run {
        let start = Date()
        let result = try Shell.run(qemu, arguments(for: target), echo: echo, timeout: TimeInterval(target.timeoutSeconds))
        let seconds = Date().timeIntervalSince(start)
        let outcome = Outcome.of(result)
        return Run(outcome: outcome, output: result.output, seconds: seconds)
    }
}

import Foundation

/// What one QEMU run boots: a kernel (a SwiftyHermit image, or Linux for the baseline), an
/// optional initial RAM disk, its command line and the VM's size.
///
/// Guarantees: two targets with the same memory, processor count and extra arguments boot
/// under exactly the same QEMU options (see ``QEMURunner/arguments(for:)``); only the kernel,
/// the RAM disk and the command line differ.
public struct BootTarget: Sendable {
    /// A name for messages.
    public var name: String
    /// The kernel QEMU loads with `-kernel` (PVH ELF or bzImage).
    public var kernel: URL
    /// The initial RAM disk (`-initrd`), if any.
    public var initialRAMDisk: URL?
    public var commandLine: String
    public var memoryKiB: Int
    public var cpus: Int
    public var timeoutSeconds: Int
    /// Arguments appended to QEMU's command line.
    public var extraArguments: [String]
    /// The QEMU machine type.
    public var machine = "microvm"
    /// QEMU user networking with a virtio-net-pci card, forwarding these "host:guest" TCP
    /// ports from 127.0.0.1; nil for no network.
    public var forwards: [String]? = nil

    public init(name: String, kernel: URL, initialRAMDisk: URL? = nil, commandLine: String, memoryKiB: Int,
                cpus: Int, timeoutSeconds: Int, extraArguments: [String] = []) {
        self.name = name
        self.kernel = kernel
        self.initialRAMDisk = initialRAMDisk
        self.commandLine = commandLine
        self.memoryKiB = memoryKiB
        self.cpus = cpus
        self.timeoutSeconds = timeoutSeconds
        self.extraArguments = extraArguments
    }

    /// The image as its config describes it.
    public init(_ image: BuiltImage) {
        let config = image.config
        self.init(name: config.name, kernel: image.path, initialRAMDisk: image.initrd, commandLine: image.commandLine, memoryKiB: config.memoryKiB,
                  cpus: config.cpus, timeoutSeconds: config.timeoutSeconds, extraArguments: config.qemuArguments)
        machine = config.machine
        if config.network != nil { forwards = config.forwards }
    }
}

/// QEMU's `isa-debug-exit` device, which ends the virtual machine with a status.
///
/// Writing v to its port makes QEMU exit with status `(v << 1) | 1`. Status 1 is also what
/// QEMU returns on its own errors, so the kernel never writes 0: an application's exit status
/// s (0...100) is sent as `applicationBase + s`, a panic as ``panicCode``. The `hermit` CLI
/// maps QEMU's status back. Without the device (other VMMs) the write does nothing and the
/// caller halts the processor instead.
public enum DebugExit {
    /// The device's I/O port (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`).
    // SAFETY: writing the debug-exit port ends the VM; it touches no memory.
    static let port = unsafe Port<UInt32>(0xF4)
    /// Added to an application's status: status 0 leaves QEMU with (0x10 << 1) | 1 = 33.
    public static let applicationBase: UInt32 = 0x10
    /// Sent on a kernel panic: QEMU exits with (0x7F << 1) | 1 = 255.
    public static let panicCode: UInt32 = 0x7F

    /// Ends the virtual machine with application status `status` (clamped to 0...100).
    public static func exit(status: Int32) -> Never {
        port.write(applicationBase + UInt32(min(max(status, 0), 100)))
        Processor.stop()
    }

    /// Ends the virtual machine with a Linux program's exit status (0...255): 0...100 as an
    /// application's, 117...126 as themselves (126: "cannot execute"), 129...143 (death by
    /// signals 1...15, such as 139 for SIGSEGV) as `status - 128` — the values the device
    /// leaves free — so `hermit run` returns the status a Linux shell would; any other status
    /// is written on the console and reported as 100.
    public static func exit(programStatus status: Int32) -> Never {
        if (0...100).contains(status) { exit(status: status) }
        if (117...126).contains(status) {
            port.write(UInt32(status))
            Processor.stop()
        }
        if (129...143).contains(status) {
            port.write(UInt32(status - 128))
            Processor.stop()
        }
        Console.write("hermit: the program's exit status was ")
        Console.write(decimal: UInt64(UInt8(truncatingIfNeeded: status)))
        Console.write(", reported as 100\n")
        exit(status: 100)
    }

    /// Ends the virtual machine, reporting a kernel panic.
    public static func exitAfterPanic() -> Never {
        port.write(panicCode)
        Processor.stop()
    }
}

/// A 16550-compatible UART, such as COM1 (base port 0x3F8), used for the kernel console.
///
/// Guarantees: ``write(_:)`` waits until the transmitter holding register is empty, so no
/// byte is lost; it never allocates and is safe to call from a panic.
public struct SerialPort: Sendable {
    /// The first of the UART's eight I/O ports.
    public let base: UInt16

    /// COM1, at 0x3F8.
    // SAFETY: 0x3F8...0x3FF are COM1's registers, which cannot write memory.
    public static let com1 = unsafe SerialPort(base: 0x3F8)

    /// The UART at `base`. The caller promises that `base`...`base + 7` are a 16550's ports.
    @unsafe public init(base: UInt16) { self.base = base }

    // Register offsets (16550 data sheet). SAFETY (all six): the UART's own registers, by
    // the promise made at init.
    private var data: Port<UInt8> { unsafe Port(base) }
    private var interruptEnable: Port<UInt8> { unsafe Port(base + 1) }
    private var fifoControl: Port<UInt8> { unsafe Port(base + 2) }
    private var lineControl: Port<UInt8> { unsafe Port(base + 3) }
    private var modemControl: Port<UInt8> { unsafe Port(base + 4) }
    private var lineStatus: Port<UInt8> { unsafe Port(base + 5) }

    /// Programs 115200 baud, 8 data bits, no parity, one stop bit, FIFOs on, interrupts off.
    public func initialize() {
        interruptEnable.write(0x00)
        lineControl.write(0x80)      // DLAB: divisor latch access
        data.write(0x01)             // divisor 1 = 115200 baud (low byte)
        interruptEnable.write(0x00)  // (high byte)
        lineControl.write(0x03)      // 8N1, DLAB off
        fifoControl.write(0xC7)      // enable and clear FIFOs, 14-byte threshold
        modemControl.write(0x03)     // DTR, RTS
    }

    /// Sends one byte.
    @inline(__always) public func write(_ byte: UInt8) {
        while lineStatus.read() & 0x20 == 0 { Processor.pause() }
        data.write(byte)
    }
}

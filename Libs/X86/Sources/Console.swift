/// The kernel console: text out through the COM1 serial port.
///
/// Guarantees: every operation is allocation-free, so the console keeps working when the
/// heap is exhausted or corrupted and inside a panic. Swift's `print` reaches it through the
/// runtime's `putchar` (in Boot). Lines end in "\n"; the serial line gets "\r\n".
public enum Console {
    /// The port the console writes to.
    public static let port = SerialPort.com1

    /// Programs the serial port. Boot calls this before anything prints.
    public static func initialize() { port.initialize() }

    /// Writes one byte, expanding "\n" to "\r\n".
    @inline(__always) public static func write(byte: UInt8) {
        if byte == 0x0A { port.write(0x0D) }
        port.write(byte)
    }

    /// Writes a static string.
    public static func write(_ text: StaticString) {
        text.withUTF8Buffer { buffer in
            // SAFETY: the buffer is the static string's own storage, valid during the closure.
            for unsafe byte in unsafe buffer { write(byte: byte) }
        }
    }

    /// Writes a string.
    public static func write(_ text: String) {
        for byte in text.utf8 { write(byte: byte) }
    }

    /// Writes `value` as `0x` and `digits` hexadecimal digits.
    public static func write(hex value: UInt64, digits: Int = 16) {
        write(byte: 0x30); write(byte: 0x78)
        var shift = (digits - 1) * 4
        while shift >= 0 {
            write(byte: Hex.digit(value >> UInt64(shift)))
            shift -= 4
        }
    }

    /// Writes `value` in decimal.
    public static func write(decimal value: UInt64) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            write(byte: 0x30 + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

/// Formats numbers as hexadecimal text.
public enum Hex {
    /// `value` as `0x` followed by `digits` hexadecimal digits (16 by default).
    public static func string(_ value: UInt64, digits: Int = 16) -> String {
        var bytes: [UInt8] = [0x30, 0x78]
        var shift = (digits - 1) * 4
        while shift >= 0 {
            bytes.append(digit(value >> UInt64(shift)))
            shift -= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The ASCII code of the hexadecimal digit for the low four bits of `nibble`.
    @inlinable public static func digit(_ nibble: UInt64) -> UInt8 {
        let d = UInt8(truncatingIfNeeded: nibble & 0xF)
        return d < 10 ? 0x30 + d : 0x61 + d - 10
    }
}

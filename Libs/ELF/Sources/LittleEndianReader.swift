/// Bounds-checked little-endian reads from a byte array: every read either fits or returns
/// nil, so a parser built on it is total.
struct LittleEndianReader {
    let bytes: [UInt8]

    /// `size` bytes at `offset` as an unsigned integer, or nil if they do not fit.
    func integer(at offset: UInt64, size: Int) -> UInt64? {
        guard offset <= UInt64(bytes.count), UInt64(size) <= UInt64(bytes.count) - offset else { return nil }
        let start = Int(offset)
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[start + index]) }
        return value
    }

    func u16(_ offset: UInt64) -> UInt16? { integer(at: offset, size: 2).map { UInt16(truncatingIfNeeded: $0) } }
    func u32(_ offset: UInt64) -> UInt32? { integer(at: offset, size: 4).map { UInt32(truncatingIfNeeded: $0) } }
    func u64(_ offset: UInt64) -> UInt64? { integer(at: offset, size: 8) }
}

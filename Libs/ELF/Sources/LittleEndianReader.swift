/// Bounds-checked little-endian reads from `count` bytes of an array starting at `base`:
/// every read either fits inside them or returns nil, so a parser built on it is total.
struct LittleEndianReader {
    let bytes: [UInt8]
    let base: Int
    let count: Int

    /// Reads all of `bytes`.
    init(bytes: [UInt8]) { self.init(bytes: bytes, base: 0, count: bytes.count) }

    /// Reads `bytes[base ..< base + count]` (which the caller checked lies inside `bytes`).
    init(bytes: [UInt8], base: Int, count: Int) {
        self.bytes = bytes
        self.base = base
        self.count = count
    }

    /// `size` bytes at `offset` as an unsigned integer, or nil if they do not fit.
    func integer(at offset: UInt64, size: Int) -> UInt64? {
        guard offset <= UInt64(count), UInt64(size) <= UInt64(count) - offset else { return nil }
        let start = base + Int(offset)
        var value: UInt64 = 0
        for index in (0..<size).reversed() { value = value << 8 | UInt64(bytes[start + index]) }
        return value
    }

    func u16(_ offset: UInt64) -> UInt16? { integer(at: offset, size: 2).map { UInt16(truncatingIfNeeded: $0) } }
    func u32(_ offset: UInt64) -> UInt32? { integer(at: offset, size: 4).map { UInt32(truncatingIfNeeded: $0) } }
    func u64(_ offset: UInt64) -> UInt64? { integer(at: offset, size: 8) }
}

/// The program's memory as the system-call layer reaches it: copies in and out, checked.
///
/// Contract: `read` returns exactly `count` bytes from `address` or nil if any of them is not
/// readable program memory; `write` stores all of `bytes` at `address` and returns true, or
/// stores nothing and returns false if any byte is not writable program memory. The kernel's
/// implementation checks the process's mappings (an `EFAULT`, never a kernel fault); tests use
/// a simulated one.
public protocol ProgramMemory: AnyObject {
    func read(_ address: UInt64, count: Int) -> [UInt8]?
    func write(_ address: UInt64, _ bytes: [UInt8]) -> Bool
}

extension ProgramMemory {
    /// A NUL-terminated string of at most `limit` bytes at `address` (nil: unreadable or too long).
    public func string(at address: UInt64, limit: Int = 4096) -> String? {
        var bytes: [UInt8] = []
        var cursor = address
        while bytes.count < limit {
            guard let chunk = read(cursor, count: 1) else { return nil }
            if chunk[0] == 0 { return String(decoding: bytes, as: UTF8.self) }
            bytes += chunk
            cursor &+= 1
        }
        return nil
    }
}

/// Little-endian encoding of the structures system calls fill in.
enum LittleEndian {
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        for index in 0..<(T.bitWidth / 8) { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }

    /// The 32-bit value at `offset` (an `int`, `socklen_t` or event mask a program passed).
    static func word32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    static func word(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }
}

/// TCP sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4): a is before b when b - a,
/// as a signed 32-bit number, is positive.
enum SequenceNumber {
    @inline(__always) static func lessThan(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) < 0 }
    @inline(__always) static func lessOrEqual(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) <= 0 }
    /// Bytes from a to b (b not before a).
    @inline(__always) static func distance(_ a: UInt32, _ b: UInt32) -> Int { Int(b &- a) }
}

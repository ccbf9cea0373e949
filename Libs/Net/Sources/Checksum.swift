/// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
/// 16-bit big-endian words.
///
/// Guarantees: an odd final byte is padded with zero; a buffer that carries its own correct
/// checksum sums to 0xFFFF, so ``InternetChecksum/verify(_:)`` is true exactly then.
public struct InternetChecksum: Sendable {
    var sum: UInt32 = 0

    public init() {}

    /// Adds `bytes[range]` (a range starting at an even offset of the checksummed data).
    public mutating func add(_ bytes: [UInt8], _ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "checksum range outside the buffer")
        // Sixteen bytes per step into a 64-bit sum (no carry is lost: each step adds < 2^20),
        // over a span of exactly the range, so the loop's bounds prove each access in range.
        let span = bytes.span.extracting(range)
        let count = span.count
        var total = UInt64(sum)
        var index = 0
        while count - index >= 16 {
            var high = UInt64(span[index]) &+ UInt64(span[index + 2]) &+ UInt64(span[index + 4]) &+ UInt64(span[index + 6])
            var low = UInt64(span[index + 1]) &+ UInt64(span[index + 3]) &+ UInt64(span[index + 5]) &+ UInt64(span[index + 7])
            high &+= UInt64(span[index + 8]) &+ UInt64(span[index + 10]) &+ UInt64(span[index + 12]) &+ UInt64(span[index + 14])
            low &+= UInt64(span[index + 9]) &+ UInt64(span[index + 11]) &+ UInt64(span[index + 13]) &+ UInt64(span[index + 15])
            total &+= high << 8 &+ low
            index += 16
        }
        while count - index >= 2 {
            total &+= UInt64(span[index]) << 8 | UInt64(span[index + 1])
            index += 2
        }
        if index < count { total &+= UInt64(span[index]) << 8 }
        while total > 0xFFFF { total = (total & 0xFFFF) &+ (total >> 16) }
        sum = UInt32(total)
    }

    /// Adds one 16-bit word.
    public mutating func add(word: UInt16) {
        sum &+= UInt32(word)
        fold()
    }

    /// Adds a 32-bit value as two words.
    public mutating func add(address: UInt32) {
        add(word: UInt16(address >> 16))
        add(word: UInt16(truncatingIfNeeded: address))
    }

    mutating func fold() {
        while sum > 0xFFFF { sum = (sum & 0xFFFF) &+ (sum >> 16) }
    }

    /// The checksum to store.
    public var value: UInt16 { ~UInt16(truncatingIfNeeded: sum) }

    /// Whether data including its checksum field summed correctly.
    public var verifies: Bool { sum == 0xFFFF }

    /// The checksum of `bytes[range]`.
    public static func of(_ bytes: [UInt8], _ range: Range<Int>) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.add(bytes, range)
        return checksum.value
    }
}

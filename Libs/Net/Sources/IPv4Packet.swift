/// An IPv4 packet (RFC 791) inside a buffer.
///
/// Guarantees: a parsed packet has version 4, a header length of at least 20 bytes that fits,
/// a total length that fits the buffer (trailing Ethernet padding is ignored), a header
/// checksum that verifies, and is not a fragment.
public struct IPv4Packet: Sendable {
    public static let protocolICMP: UInt8 = 1
    public static let protocolTCP: UInt8 = 6
    public static let protocolUDP: UInt8 = 17

    public let bytes: [UInt8]
    /// Where the header starts.
    public let start: Int
    public let headerLength: Int
    public let totalLength: Int

    public init(parsing bytes: [UInt8], _ range: Range<Int>) throws(WireError) {
        guard range.count >= 20 else { throw .truncated }
        let o = range.lowerBound
        guard bytes[o] >> 4 == 4 else { throw .unsupported }
        let headerLength = Int(bytes[o] & 0x0F) * 4
        let totalLength = Int(bytes.u16(at: o + 2))
        guard headerLength >= 20, totalLength >= headerLength else { throw .badLength }
        guard totalLength <= range.count else { throw .truncated }
        var checksum = InternetChecksum()
        checksum.add(bytes, o..<(o + headerLength))
        guard checksum.verifies else { throw .badChecksum }
        let fragment = bytes.u16(at: o + 6)
        guard fragment & 0x3FFF == 0 else { throw .fragment }   // MF set or an offset
        self.bytes = bytes
        start = o
        self.headerLength = headerLength
        self.totalLength = totalLength
    }

    public var ttl: UInt8 { bytes[start + 8] }
    public var protocolNumber: UInt8 { bytes[start + 9] }
    public var source: IPv4Address { IPv4Address(bytes.u32(at: start + 12)) }
    public var destination: IPv4Address { IPv4Address(bytes.u32(at: start + 16)) }
    public var payloadRange: Range<Int> { (start + headerLength)..<(start + totalLength) }

    /// A 20-byte header followed by `payload`, with its checksum.
    public static func build(source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8,
                             payload: [UInt8], identification: UInt16 = 0, ttl: UInt8 = 64) -> [UInt8] {
        var out: [UInt8] = [0x45, 0]
        out.reserveCapacity(20 + payload.count)
        out.appendU16(UInt16(20 + payload.count))
        out.appendU16(identification)
        out.appendU16(0x4000)   // don't fragment
        out.append(ttl)
        out.append(protocolNumber)
        out.appendU16(0)
        out.appendU32(source.value)
        out.appendU32(destination.value)
        out.setU16(InternetChecksum.of(out, 0..<20), at: 10)
        out += payload
        return out
    }

    /// The pseudo-header sum TCP and UDP checksums start from.
    public static func pseudoHeader(source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8, length: Int) -> InternetChecksum {
        var checksum = InternetChecksum()
        checksum.add(address: source.value)
        checksum.add(address: destination.value)
        checksum.add(word: UInt16(protocolNumber))
        checksum.add(word: UInt16(length))
        return checksum
    }
}

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
        var out = [UInt8](repeating: 0, count: 20)
        out.reserveCapacity(20 + payload.count)
        writeHeader(into: &out, at: 0, source: source, destination: destination, protocolNumber: protocolNumber,
                    payloadLength: payload.count, identification: identification, ttl: ttl)
        out += payload
        return out
    }

    /// Writes the 20-byte header ``build(source:destination:protocolNumber:payload:identification:ttl:)``
    /// puts before a payload of `payloadLength` bytes over `out[offset..<offset + 20]` (room
    /// left for it, so a whole frame is made in one buffer).
    public static func writeHeader(into out: inout [UInt8], at offset: Int, source: IPv4Address, destination: IPv4Address, protocolNumber: UInt8,
                                   payloadLength: Int, identification: UInt16 = 0, ttl: UInt8 = 64) {
        precondition(offset >= 0 && offset + 20 <= out.count, "no room for the IPv4 header")
        out[offset] = 0x45
        out[offset + 1] = 0
        out.setU16(UInt16(truncatingIfNeeded: 20 + payloadLength), at: offset + 2)
        out.setU16(identification, at: offset + 4)
        out.setU16(0x4000, at: offset + 6)   // don't fragment
        out[offset + 8] = ttl
        out[offset + 9] = protocolNumber
        out.setU16(0, at: offset + 10)
        out.setU32(source.value, at: offset + 12)
        out.setU32(destination.value, at: offset + 16)
        out.setU16(InternetChecksum.of(out, offset..<(offset + 20)), at: offset + 10)
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

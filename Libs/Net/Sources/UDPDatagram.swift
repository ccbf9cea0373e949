/// A UDP datagram (RFC 768).
///
/// Guarantees: a parsed datagram's length field is at least 8 and fits its IPv4 payload, and
/// its checksum verifies against the pseudo-header (a zero checksum means none was sent).
public struct UDPDatagram: Sendable {
    public let bytes: [UInt8]
    public let start: Int
    public let length: Int

    public init(parsing bytes: [UInt8], _ range: Range<Int>, source: IPv4Address, destination: IPv4Address) throws(WireError) {
        guard range.count >= 8 else { throw .truncated }
        let o = range.lowerBound
        let length = Int(bytes.u16(at: o + 4))
        guard length >= 8 else { throw .badLength }
        guard length <= range.count else { throw .truncated }
        if bytes.u16(at: o + 6) != 0 {
            var checksum = IPv4Packet.pseudoHeader(source: source, destination: destination, protocolNumber: IPv4Packet.protocolUDP, length: length)
            checksum.add(bytes, o..<(o + length))
            guard checksum.verifies else { throw .badChecksum }
        }
        self.bytes = bytes
        start = o
        self.length = length
    }

    public var sourcePort: UInt16 { bytes.u16(at: start) }
    public var destinationPort: UInt16 { bytes.u16(at: start + 2) }
    public var payload: ArraySlice<UInt8> { bytes[(start + 8)..<(start + length)] }

    public static func build(source: IPv4Address, sourcePort: UInt16, destination: IPv4Address, destinationPort: UInt16,
                             payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + payload.count)
        out.appendU16(sourcePort)
        out.appendU16(destinationPort)
        out.appendU16(UInt16(8 + payload.count))
        out.appendU16(0)
        out += payload
        var checksum = IPv4Packet.pseudoHeader(source: source, destination: destination, protocolNumber: IPv4Packet.protocolUDP, length: out.count)
        checksum.add(out, 0..<out.count)
        let value = checksum.value
        out.setU16(value == 0 ? 0xFFFF : value, at: 6)
        return out
    }
}

/// An ICMP message (RFC 792); the stack answers echo requests.
///
/// Guarantees: a parsed message has at least its 8-byte header and a checksum that verifies.
public struct ICMPMessage: Sendable {
    public static let echoReply: UInt8 = 0
    public static let echoRequest: UInt8 = 8

    public let bytes: [UInt8]
    public let range: Range<Int>

    public init(parsing bytes: [UInt8], _ range: Range<Int>) throws(WireError) {
        guard range.count >= 8 else { throw .truncated }
        var checksum = InternetChecksum()
        checksum.add(bytes, range)
        guard checksum.verifies else { throw .badChecksum }
        self.bytes = bytes
        self.range = range
    }

    public var type: UInt8 { bytes[range.lowerBound] }
    public var code: UInt8 { bytes[range.lowerBound + 1] }

    /// The echo reply to this echo request: the same identifier, sequence and data.
    public func echoReplyBytes() -> [UInt8] {
        var out = Array(bytes[range])
        out[0] = ICMPMessage.echoReply
        out.setU16(0, at: 2)
        out.setU16(InternetChecksum.of(out, 0..<out.count), at: 2)
        return out
    }
}

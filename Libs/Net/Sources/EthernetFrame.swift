/// An Ethernet II frame: destination, source, EtherType, payload (no FCS: virtio strips it).
///
/// Guarantees: a parsed frame holds at least the 14-byte header; `payload` is the rest.
public struct EthernetFrame: Sendable {
    public static let headerLength = 14
    public static let typeIPv4: UInt16 = 0x0800
    public static let typeARP: UInt16 = 0x0806

    public let bytes: [UInt8]

    public init(parsing bytes: [UInt8]) throws(WireError) {
        guard bytes.count >= EthernetFrame.headerLength else { throw .truncated }
        self.bytes = bytes
    }

    public var destination: MACAddress { MACAddress(bytes, at: 0) }
    public var source: MACAddress { MACAddress(bytes, at: 6) }
    public var etherType: UInt16 { bytes.u16(at: 12) }
    public var payloadRange: Range<Int> { EthernetFrame.headerLength..<bytes.count }

    /// A frame around `payload`.
    public static func build(destination: MACAddress, source: MACAddress, type: UInt16, payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerLength + payload.count)
        appendHeader(to: &out, destination: destination, source: source, type: type)
        out += payload
        return out
    }

    /// Appends the 14-byte header to `out` (the start of a frame made in one buffer).
    public static func appendHeader(to out: inout [UInt8], destination: MACAddress, source: MACAddress, type: UInt16) {
        destination.append(to: &out)
        source.append(to: &out)
        out.appendU16(type)
    }
}

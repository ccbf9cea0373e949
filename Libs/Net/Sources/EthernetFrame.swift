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
        var out = destination.array + source.array
        out.reserveCapacity(headerLength + payload.count)
        out.appendU16(type)
        out += payload
        return out
    }
}

/// An ARP packet for IPv4 over Ethernet (RFC 826).
///
/// Guarantees: a parsed packet is 28 bytes of hardware type 1, protocol 0x0800, lengths 6/4.
public struct ARPPacket: Equatable, Sendable {
    public static let length = 28
    /// ARP operation codes.
    public enum Operation: UInt16, Sendable { case request = 1, reply = 2 }

    public var operation: Operation
    public var senderMAC: MACAddress
    public var senderIP: IPv4Address
    public var targetMAC: MACAddress
    public var targetIP: IPv4Address

    public init(operation: Operation, senderMAC: MACAddress, senderIP: IPv4Address, targetMAC: MACAddress, targetIP: IPv4Address) {
        self.operation = operation
        self.senderMAC = senderMAC
        self.senderIP = senderIP
        self.targetMAC = targetMAC
        self.targetIP = targetIP
    }

    /// Parses the ARP packet at `range` of `bytes`.
    public init(parsing bytes: [UInt8], _ range: Range<Int>) throws(WireError) {
        guard range.count >= ARPPacket.length else { throw .truncated }
        let o = range.lowerBound
        guard bytes.u16(at: o) == 1, bytes.u16(at: o + 2) == EthernetFrame.typeIPv4, bytes[o + 4] == 6, bytes[o + 5] == 4 else {
            throw .unsupported
        }
        guard let operation = Operation(rawValue: bytes.u16(at: o + 6)) else { throw .unsupported }
        self.operation = operation
        senderMAC = MACAddress(bytes, at: o + 8)
        senderIP = IPv4Address(bytes.u32(at: o + 14))
        targetMAC = MACAddress(bytes, at: o + 18)
        targetIP = IPv4Address(bytes.u32(at: o + 24))
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = [0, 1, 0x08, 0x00, 6, 4]
        out.appendU16(operation.rawValue)
        out += senderMAC.array
        out.appendU32(senderIP.value)
        out += targetMAC.array
        out.appendU32(targetIP.value)
        return out
    }
}

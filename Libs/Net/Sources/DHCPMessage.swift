/// A DHCPv4 message (RFC 2131, options RFC 2132): the parts a client uses.
///
/// Guarantees: a parsed message is at least the 236-byte fixed part plus the magic cookie,
/// is a BOOTREPLY for Ethernet, and its options were walked only inside the datagram (a
/// truncated option ends the walk, a malformed length is an error).
public struct DHCPMessage: Equatable, Sendable {
    /// DHCP message types (option 53).
    public enum MessageType: UInt8, Sendable {
        case discover = 1, offer = 2, request = 3, decline = 4, ack = 5, nak = 6, release = 7
    }

    public var type: MessageType
    public var transactionID: UInt32
    public var clientMAC: MACAddress
    /// The address offered or assigned (yiaddr).
    public var yourAddress: IPv4Address = .any
    public var requestedAddress: IPv4Address? = nil
    public var serverIdentifier: IPv4Address? = nil
    public var subnetMask: IPv4Address? = nil
    public var router: IPv4Address? = nil
    public var leaseSeconds: UInt32? = nil

    public init(type: MessageType, transactionID: UInt32, clientMAC: MACAddress) {
        self.type = type
        self.transactionID = transactionID
        self.clientMAC = clientMAC
    }

    static let cookie: UInt32 = 0x6382_5363

    /// Parses a server's reply from UDP payload bytes.
    public init(parsing bytes: [UInt8]) throws(WireError) {
        guard bytes.count >= 240 else { throw .truncated }
        guard bytes[0] == 2, bytes[1] == 1, bytes[2] == 6, bytes.u32(at: 236) == DHCPMessage.cookie else { throw .unsupported }
        transactionID = bytes.u32(at: 4)
        yourAddress = IPv4Address(bytes.u32(at: 16))
        clientMAC = MACAddress(bytes, at: 28)
        var type: MessageType? = nil
        var index = 240
        while index < bytes.count {
            let code = bytes[index]
            if code == 255 { break }
            if code == 0 { index += 1; continue }
            guard index + 1 < bytes.count else { throw .truncated }
            let length = Int(bytes[index + 1])
            let value = index + 2
            guard value + length <= bytes.count else { throw .truncated }
            func address() -> IPv4Address? { length >= 4 ? IPv4Address(bytes.u32(at: value)) : nil }
            switch code {
            case 53: type = length == 1 ? MessageType(rawValue: bytes[value]) : nil
            case 1: subnetMask = address()
            case 3: router = address()
            case 51: leaseSeconds = length == 4 ? bytes.u32(at: value) : nil
            case 54: serverIdentifier = address()
            case 50: requestedAddress = address()
            default: break
            }
            index = value + length
        }
        guard let type else { throw .unsupported }
        self.type = type
    }

    /// The message as a client sends it (BOOTREQUEST, broadcast flag set).
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 240)
        out[0] = 1; out[1] = 1; out[2] = 6
        out.setU32(transactionID, at: 4)
        out.setU16(0x8000, at: 10)   // broadcast: the client has no address yet
        let mac = clientMAC.array
        for index in 0..<6 { out[28 + index] = mac[index] }
        out.setU32(DHCPMessage.cookie, at: 236)
        out += [53, 1, type.rawValue]
        if let requestedAddress { out += [50, 4]; out.appendU32(requestedAddress.value) }
        if let serverIdentifier { out += [54, 4]; out.appendU32(serverIdentifier.value) }
        out += [55, 3, 1, 3, 6]   // ask for mask, router, DNS
        out.append(255)
        while out.count < 300 { out.append(0) }   // BOOTP minimum
        return out
    }

    /// The prefix length of `subnetMask` (24 if absent or not contiguous).
    public var prefixLength: Int {
        guard let mask = subnetMask?.value, mask != 0, (~mask) & (~mask &+ 1) == 0 else { return 24 }
        return mask.nonzeroBitCount
    }
}

/// Gets an address by DHCP (RFC 2131 §4.4: DISCOVER, OFFER, REQUEST, ACK) and configures the
/// stack with it.
///
/// Guarantees: only replies with this client's transaction ID and MAC count, and only offers
/// of a usable unicast address (not 0.0.0.0, broadcast, loopback, multicast or reserved);
/// a router outside the offered subnet is ignored; every step is retried (every 2 s, 4
/// times) and the whole exchange gives up with nil rather than hang, however many bad
/// replies arrive; a NAK restarts from DISCOVER once. The lease is not renewed (the guests
/// this serves live shorter than slirp's 24-hour leases); ``DHCPLease`` says when it would be.
public struct DHCPClient {
    public let stack: NetworkStack

    public init(stack: NetworkStack) { self.stack = stack }

    /// Runs the exchange; on success the stack's configuration is the lease's.
    public func acquire() -> InterfaceConfiguration? { acquireLease()?.configuration }

    /// Runs the exchange; on success the stack's configuration is the lease's.
    public func acquireLease() -> DHCPLease? {
        stack.configuration = InterfaceConfiguration(address: .any, prefixLength: 0, gateway: nil)
        guard let socket = UDPSocket(stack: stack, port: 68) else { return nil }
        defer { socket.close() }
        let xid = UInt32(truncatingIfNeeded: stack.clock() &* 2_654_435_761) ^ 0x5A17_3E00
        for _ in 0..<2 {
            let discover = DHCPMessage(type: .discover, transactionID: xid, clientMAC: stack.macAddress)
            guard let offer = exchange(discover, expecting: [.offer], socket) else { return nil }
            var request = DHCPMessage(type: .request, transactionID: xid, clientMAC: stack.macAddress)
            request.requestedAddress = offer.yourAddress
            request.serverIdentifier = offer.serverIdentifier
            guard let reply = exchange(request, expecting: [.ack, .nak], socket) else { return nil }
            if reply.type == .nak { continue }
            var configuration = InterfaceConfiguration(address: reply.yourAddress, prefixLength: reply.prefixLength,
                                                       gateway: reply.router ?? offer.router)
            if let gateway = configuration.gateway, !configuration.isLocal(gateway) || gateway == configuration.address {
                configuration.gateway = nil
            }
            stack.configuration = configuration
            return DHCPLease(configuration: configuration, leaseSeconds: reply.leaseSeconds ?? offer.leaseSeconds)
        }
        return nil
    }

    func exchange(_ message: DHCPMessage, expecting types: [DHCPMessage.MessageType], _ socket: UDPSocket) -> DHCPMessage? {
        for _ in 0..<4 {
            socket.send(message.bytes, to: .broadcast, port: 67)
            let deadline = stack.clock() + 2000
            while stack.clock() < deadline {
                stack.poll()
                if let datagram = socket.tryReceive(), datagram.port == 67,
                   let reply = try? DHCPMessage(parsing: datagram.data),
                   reply.transactionID == message.transactionID, reply.clientMAC == stack.macAddress, types.contains(reply.type),
                   reply.type == .nak || DHCPClient.isUsable(reply.yourAddress) {
                    return reply
                }
                stack.idle()
            }
        }
        return nil
    }

    /// Whether `address` can be this host's: unicast, not 0/8, loopback, link-local
    /// multicast, class E or broadcast.
    static func isUsable(_ address: IPv4Address) -> Bool {
        let first = address.value >> 24
        return first != 0 && first != 127 && first < 224
    }
}

/// Gets an address by DHCP (RFC 2131 §4.4: DISCOVER, OFFER, REQUEST, ACK) and configures the
/// stack with it.
///
/// Guarantees: only replies with this client's transaction ID and MAC count; every step is
/// retried (every 2 s, 4 times) and the whole exchange gives up with nil rather than hang;
/// a NAK restarts from DISCOVER once. The lease is not renewed (the guests this serves live
/// shorter than slirp's 24-hour leases).
public struct DHCPClient {
    public let stack: NetworkStack

    public init(stack: NetworkStack) { self.stack = stack }

    /// Runs the exchange; on success the stack's configuration is the lease's.
    public func acquire() -> InterfaceConfiguration? {
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
            let configuration = InterfaceConfiguration(address: reply.yourAddress, prefixLength: reply.prefixLength,
                                                       gateway: reply.router ?? offer.router)
            stack.configuration = configuration
            return configuration
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
                   reply.transactionID == message.transactionID, reply.clientMAC == stack.macAddress, types.contains(reply.type) {
                    return reply
                }
                stack.idle()
            }
        }
        return nil
    }
}

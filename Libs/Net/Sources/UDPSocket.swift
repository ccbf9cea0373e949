/// A bound UDP port.
///
/// Guarantees: at most 64 datagrams wait (later ones are dropped); each `receive` returns one
/// whole datagram with its sender.
public struct UDPSocket {
    public let stack: NetworkStack
    public let port: UInt16

    /// Binds `port`; nil if it is taken.
    public init?(stack: NetworkStack, port: UInt16) {
        guard stack.udpQueues[port] == nil else { return nil }
        stack.udpQueues[port] = []
        self.stack = stack
        self.port = port
    }

    /// A waiting datagram, if any (non-blocking: call `stack.poll()` to move packets).
    public func tryReceive() -> (from: IPv4Address, port: UInt16, data: [UInt8])? {
        guard var queue = stack.udpQueues[port], !queue.isEmpty else { return nil }
        let first = queue.removeFirst()
        stack.udpQueues[port] = queue
        return first
    }

    /// Whether a datagram waits for ``tryReceive()``.
    public var hasWaiting: Bool { !(stack.udpQueues[port]?.isEmpty ?? true) }

    /// Waits for a datagram.
    public func receive() -> (from: IPv4Address, port: UInt16, data: [UInt8]) {
        while true {
            stack.poll()
            if let datagram = tryReceive() { return datagram }
            stack.idle()
        }
    }

    /// Sends `data` to `address`:`port`.
    public func send(_ data: [UInt8], to address: IPv4Address, port remotePort: UInt16) {
        let datagram = UDPDatagram.build(source: stack.configuration.address, sourcePort: port, destination: address,
                                         destinationPort: remotePort, payload: data)
        stack.send(ip: datagram, to: address, protocolNumber: IPv4Packet.protocolUDP, now: stack.clock())
        stack.device.flush()
    }

    /// Stops receiving on the port.
    public func close() { stack.udpQueues[port] = nil }
}

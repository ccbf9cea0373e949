/// One TCP connection as the application uses it: read, write, close.
///
/// Guarantees: `read` returns bytes in order, and an empty array only at the end of the
/// stream (the peer closed) or after a reset; `write` returns once every byte is queued (or
/// the connection failed); after `close` the stack frees the connection when it is over.
public struct TCPStream {
    public let stack: NetworkStack
    public let key: ConnectionKey

    /// Connects to `address`:`port`; nil if the connection is refused or times out.
    public static func connect(stack: NetworkStack, address: IPv4Address, port: UInt16) -> TCPStream? {
        var local = stack.nextEphemeralPort
        while stack.connections.keys.contains(where: { $0.localPort == local }) || stack.listeners[local] != nil { local &+= 1 }
        stack.nextEphemeralPort = local == 65535 ? 49152 : local + 1
        let key = ConnectionKey(localPort: local, remoteAddress: address, remotePort: port)
        stack.connections[key] = NetworkStack.Entry(tcp: TCPConnection(connectingWithISS: stack.nextISS(stack.clock())),
                                                   listenerPort: nil, accepted: true, applicationClosed: false)
        let stream = TCPStream(stack: stack, key: key)
        while true {
            stack.poll()
            switch stream.state {
            case .synSent: stack.idle()
            case .closed, .reset: stream.close(); return nil
            default: return stream
            }
        }
    }

    /// The connection's state (`.closed` once freed).
    public var state: TCPState { stack.connections[key]?.tcp.state ?? .closed }

    /// Up to `maximum` bytes if any are ready; [] if none are yet (non-blocking: call
    /// `stack.poll()` to move packets); nil at the end of the stream or after a reset.
    public func tryRead(maximum: Int = 4096) -> [UInt8]? {
        guard var entry = stack.connections[key] else { return nil }
        if entry.tcp.available == 0 {
            return entry.tcp.atEndOfStream || entry.tcp.state == .reset || entry.tcp.state == .closed ? nil : []
        }
        let bytes = entry.tcp.receive(maximum: maximum)
        stack.connections[key] = entry
        return bytes
    }

    /// Waits for data: up to `maximum` bytes, or [] at the end of the stream or after a reset.
    public func read(maximum: Int = 4096) -> [UInt8] {
        while true {
            stack.poll()
            guard let bytes = tryRead(maximum: maximum) else { return [] }
            if !bytes.isEmpty { return bytes }
            stack.idle()
        }
    }

    /// Queues what fits of `bytes` now (non-blocking: the next `stack.poll()` sends it);
    /// returns how many were taken.
    public func tryWrite(_ bytes: ArraySlice<UInt8>) -> Int {
        guard var entry = stack.connections[key] else { return 0 }
        let taken = entry.tcp.send(bytes)
        stack.connections[key] = entry
        return taken
    }

    /// Queues all of `bytes`, waiting for room; false if the connection failed first.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            guard let entry = stack.connections[key], entry.tcp.sendSpace > 0 || !entry.tcp.allAcknowledged else { return false }
            let taken = tryWrite(bytes[offset...])
            offset += taken
            stack.poll()
            if taken == 0 { stack.idle() }
        }
        return true
    }

    /// Closes the sending side; the stack sends a FIN after the queued data and frees the
    /// connection when both sides are done.
    public func close() {
        guard var entry = stack.connections[key] else { return }
        entry.tcp.close()
        entry.applicationClosed = true
        stack.connections[key] = entry
        stack.poll()
    }

    /// Resets the connection at once.
    public func abort() {
        guard var entry = stack.connections[key] else { return }
        let reset = entry.tcp.abort()
        entry.applicationClosed = true
        stack.connections[key] = entry
        if let reset { stack.send(reset, key) }
        stack.poll()
    }
}

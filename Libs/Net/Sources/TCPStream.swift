/// One TCP connection as the application uses it: read, write, close.
///
/// Guarantees: `read` returns bytes in order, and an empty array only at the end of the
/// stream (the peer closed) or after a reset; `write` returns once every byte is queued (or
/// the connection failed); after `close` the stack frees the connection when it is over.
/// The non-blocking calls (`try...`) act on the connection's buffers only; `stack.poll()`
/// moves packets.
public struct TCPStream {
    public let stack: NetworkStack
    let connection: Connection

    init(stack: NetworkStack, connection: Connection) {
        self.stack = stack
        self.connection = connection
    }

    /// Which connection this is.
    public var key: ConnectionKey { connection.key }

    /// Connects to `address`:`port`; nil if the connection is refused or times out.
    public static func connect(stack: NetworkStack, address: IPv4Address, port: UInt16) -> TCPStream? {
        // An ephemeral port that makes a new 4-tuple (as Linux: the same port may serve other
        // destinations), found in O(1) per try.
        var local = stack.nextEphemeralPort
        for _ in 0..<16384 {
            if stack.connections[ConnectionKey(localPort: local, remoteAddress: address, remotePort: port)] == nil && stack.listeners[local] == nil { break }
            local = local == 65535 ? 49152 : local + 1
        }
        stack.nextEphemeralPort = local == 65535 ? 49152 : local + 1
        let key = ConnectionKey(localPort: local, remoteAddress: address, remotePort: port)
        guard stack.connections[key] == nil else { return nil }   // every port is taken
        let now = stack.clock()
        let connection = Connection(key: key, tcp: TCPConnection(connectingWithISS: stack.nextISS(now)),
                                    listenerPort: nil, accepted: true, createdAt: now)
        stack.connections[key] = connection
        stack.wake(connection)
        let stream = TCPStream(stack: stack, connection: connection)
        while true {
            stack.poll()
            switch stream.state {
            case .synSent: stack.idle()
            case .closed, .reset: stream.close(); return nil
            default: return stream
            }
        }
    }

    /// The connection's state.
    public var state: TCPState { connection.tcp.state }

    /// Up to `maximum` bytes if any are ready; [] if none are yet; nil at the end of the
    /// stream or after a reset.
    public func tryRead(maximum: Int = 4096) -> [UInt8]? {
        if connection.tcp.available == 0 {
            return connection.tcp.atEndOfStream || connection.isOver ? nil : []
        }
        let bytes = connection.tcp.receive(maximum: maximum)
        stack.touched(connection)
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

    /// Queues what fits of `bytes` now; returns how many were taken (none while the stack's
    /// buffer budget is spent or memory is below its reserve).
    public func tryWrite(_ bytes: ArraySlice<UInt8>) -> Int {
        guard stack.mayBuffer else { return 0 }
        let taken = connection.tcp.send(bytes.prefix(stack.limits.bufferBudget - stack.bufferedBytes))
        if taken > 0 { stack.touched(connection) }
        return taken
    }

    /// Queues all of `bytes`, waiting for room; false if the connection failed first.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            guard !connection.isOver && connection.tcp.canSend else { return false }
            let taken = tryWrite(bytes[offset...])
            offset += taken
            stack.poll()
            if taken == 0 { stack.idle() }
        }
        return true
    }

    /// Closes the connection as POSIX `close` does: the stack sends a FIN after the queued
    /// data, unread input is dropped and later input acknowledged and discarded (so a closed
    /// connection holds no input), and the connection is freed when both sides are done.
    public func close() {
        connection.tcp.close()
        connection.tcp.discardInput()
        connection.applicationClosed = true
        stack.touched(connection)
        stack.poll()
    }

    /// Resets the connection at once.
    public func abort() {
        let reset = connection.tcp.abort()
        connection.applicationClosed = true
        if let reset { stack.send(reset, connection.key, now: stack.clock()) }
        stack.touched(connection)
        stack.poll()
    }
}

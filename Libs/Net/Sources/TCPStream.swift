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
        guard let stream = open(stack: stack, address: address, port: port) else { return nil }
        while true {
            stack.poll()
            switch stream.state {
            case .synSent: stack.idle()
            case .closed, .reset: stream.close(); return nil
            default: return stream
            }
        }
    }

    /// Starts connecting to `address`:`port` without waiting: the SYN goes out with the next
    /// `stack.poll()`, and ``state`` leaves `.synSent` when the handshake completes (or ends:
    /// `.reset` when refused or timed out). Nil when every ephemeral port is taken for that
    /// destination.
    public static func open(stack: NetworkStack, address: IPv4Address, port: UInt16) -> TCPStream? {
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
        var tcp = TCPConnection(connectingWithISS: stack.nextISS(now))
        tcp.finTimeout = stack.limits.finTimeout
        let connection = Connection(key: key, tcp: tcp, listenerPort: nil, accepted: true, createdAt: now)
        stack.connections[key] = connection
        stack.wake(connection)
        return TCPStream(stack: stack, connection: connection)
    }

    /// Whether this is the same connection as `other` (streams are views of one connection).
    public func isSame(as other: TCPStream) -> Bool { connection === other.connection }

    /// Whether the handshake ever completed (a reset after it is a reset, before it a refusal).
    public var handshakeCompleted: Bool { connection.tcp.synAcknowledged }

    /// Bytes received and not read yet.
    public var available: Int { connection.tcp.available }

    /// Whether the peer closed its side and everything it sent has been read.
    public var atEndOfStream: Bool { connection.tcp.atEndOfStream }

    /// Whether the peer has sent its FIN (its side is closed, whatever is still unread).
    public var peerClosed: Bool { connection.tcp.finReceived }

    /// How many bytes ``tryWrite(_:)`` would take now (0 once the sending side is closed or
    /// the connection is over, or while the stack may not buffer more).
    public var writableSpace: Int {
        guard stack.mayBuffer, !connection.isOver else { return 0 }
        return min(connection.tcp.sendSpace, max(0, stack.limits.bufferBudget - stack.bufferedBytes))
    }

    /// Whether the application may still queue bytes (the sending side is open).
    public var canSend: Bool { !connection.isOver && connection.tcp.canSend }

    /// A number that changes whenever bytes (or the FIN) arrive or the peer acknowledges
    /// bytes: an edge for readiness that the state alone does not show.
    public var progress: UInt64 { connection.tcp.progress }

    /// Up to `maximum` received bytes, left in place (`MSG_PEEK`).
    public func peek(maximum: Int) -> [UInt8] { connection.tcp.peek(maximum: maximum) }

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

    /// Closes only the sending side (`shutdown(SHUT_WR)`): a FIN follows the queued data,
    /// and reading goes on until the peer closes.
    public func shutdownWrite() {
        connection.tcp.close()
        stack.touched(connection)
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

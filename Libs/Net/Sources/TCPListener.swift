/// A listening TCP port: `accept` hands out connections that completed the handshake.
///
/// Guarantees: at most `backlog` connections wait (half-open or not yet accepted); further
/// SYNs are dropped and counted.
public struct TCPListener {
    public let stack: NetworkStack
    public let port: UInt16

    /// Listens on `port`; nil if something already listens there.
    public init?(stack: NetworkStack, port: UInt16, backlog: Int = 16) {
        guard stack.listeners[port] == nil else { return nil }
        stack.listeners[port] = NetworkStack.Listener(backlog: max(1, backlog))
        self.stack = stack
        self.port = port
    }

    /// A connection that has completed its handshake, if one is waiting (non-blocking; call
    /// `stack.poll()` to move packets).
    public func tryAccept() -> TCPStream? {
        guard var listener = stack.listeners[port], !listener.ready.isEmpty else { return nil }
        let key = listener.ready.removeFirst()
        stack.listeners[port] = listener
        guard let connection = stack.connections[key] else { return nil }
        connection.accepted = true
        return TCPStream(stack: stack, connection: connection)
    }

    /// Waits for a connection.
    public func accept() -> TCPStream {
        while true {
            stack.poll()
            if let stream = tryAccept() { return stream }
            stack.idle()
        }
    }
}

/// A listening TCP port: `accept` hands out connections that completed the handshake.
///
/// Guarantees: at most `backlog` connections wait (half-open or not yet accepted); a SYN
/// that finds the backlog full evicts the oldest half-open entry (counted in
/// `halfOpenEvicted`), or is dropped and counted (`backlogFull`) when every entry has completed
/// its handshake.
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
        guard var listener = stack.listeners[port] else { return nil }
        while !listener.ready.isEmpty {
            let key = listener.ready.removeFirst()
            guard let connection = stack.connections[key], !connection.accepted else { continue }
            connection.accepted = true
            listener.pending -= 1
            stack.listeners[port] = listener
            return TCPStream(stack: stack, connection: connection)
        }
        stack.listeners[port] = listener
        return nil
    }

    /// Whether a connection waits for ``tryAccept()``.
    public var hasReady: Bool {
        guard let listener = stack.listeners[port] else { return false }
        return listener.ready.contains { stack.connections[$0].map { !$0.accepted } ?? false }
    }

    /// How many connections have completed their handshake here so far (an edge for readiness).
    public var arrivals: UInt64 { stack.listeners[port]?.arrivals ?? 0 }

    /// Stops listening: connections not accepted yet are reset, and the port is free again.
    public func close() {
        guard stack.listeners[port] != nil else { return }
        stack.listeners[port] = nil
        let now = stack.clock()
        for connection in stack.connections.values where connection.listenerPort == port && !connection.accepted {
            if let reset = connection.tcp.abort() { stack.send(reset, connection.key, now: now) }
            stack.free(connection)
        }
        stack.device.flush()
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

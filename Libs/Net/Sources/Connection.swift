/// A TCP connection as the stack keeps it: the state machine plus who holds it. A reference,
/// shared by the stack's table and the application's ``TCPStream``, so neither copies the
/// connection's buffers to change it.
final class Connection {
    let key: ConnectionKey
    var tcp: TCPConnection
    /// The port of the listener it arrived on (nil for connections this host opened).
    let listenerPort: UInt16?
    /// Whether the application has it (accepted, or opened it).
    var accepted: Bool
    /// Whether the application has closed or aborted it.
    var applicationClosed = false
    /// When it was created (milliseconds): the oldest half-open connection is evicted first.
    let createdAt: UInt64

    init(key: ConnectionKey, tcp: TCPConnection, listenerPort: UInt16?, accepted: Bool, createdAt: UInt64 = 0) {
        self.key = key
        self.createdAt = createdAt
        self.tcp = tcp
        self.listenerPort = listenerPort
        self.accepted = accepted
    }

    var isOver: Bool { tcp.state == .closed || tcp.state == .reset }
}

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
    /// Whether it waits in the stack's list of connections to poll.
    var awake = false
    /// The deadline its entry in the stack's timer heap stands for (nil: none queued).
    var queuedDeadline: UInt64? = nil
    /// Its `tcp.bufferedBytes` as last counted in the stack's total.
    var counted = 0
    /// Whether it has been put in the stack's TIME-WAIT queue.
    var queuedInTimeWait = false
    /// Whether the stack has let go of it (over, or evicted): it is never polled again.
    var freed = false

    init(key: ConnectionKey, tcp: TCPConnection, listenerPort: UInt16?, accepted: Bool, createdAt: UInt64 = 0) {
        self.key = key
        self.createdAt = createdAt
        self.tcp = tcp
        self.listenerPort = listenerPort
        self.accepted = accepted
    }

    var isOver: Bool { tcp.state == .closed || tcp.state == .reset }
}

/// What peers may make a ``NetworkStack`` hold: every budget a flood is checked against.
public struct NetworkLimits: Sendable, Equatable {
    /// TCP connections in any state at once. At the limit a SYN takes the place of the
    /// oldest TIME-WAIT connection, or is dropped (counted in `connectionLimit`).
    public var maximumConnections = 1024
    /// Bytes buffered over all connections (received and unread, queued to send, out of
    /// order). At the budget, segments carrying data are dropped unacknowledged (the peer
    /// sends them again later), new connections are refused and writes take nothing, so a
    /// flood slows service instead of exhausting the heap.
    public var bufferBudget = 16 << 20
    /// With a ``NetworkStack/memoryHeadroom`` source: while less memory than this is left,
    /// the stack behaves as if its budget were spent (whatever it holds), so the heap's other
    /// users keep what they need.
    public var reserveBytes = 4 << 20
    /// Milliseconds a connection the application closed waits in FIN-WAIT-2 for the peer's
    /// FIN (Linux's `tcp_fin_timeout`): how long a peer that never closes holds an orphan.
    public var finTimeout = TCPConnection.finWait2Milliseconds
    /// SYN-ACK retransmissions before a half-open connection is dropped (Linux's
    /// `tcp_synack_retries`; 5 is about a minute): how long a spoofed SYN holds a slot.
    public var synAckRetries = TCPConnection.maximumSYNRetransmissions

    public init() {}
}

/// What the stack has seen: frames in and out, and every drop by its reason.
public struct NetworkCounters: Sendable, Equatable {
    public var framesReceived = 0
    public var framesSent = 0
    public var malformed = 0
    public var badChecksums = 0
    public var fragmentsDropped = 0
    public var notForUs = 0
    public var unsupported = 0
    public var noSocket = 0
    public var backlogFull = 0
    public var unresolved = 0
    /// SYNs dropped because the connection table was full (and held no TIME-WAIT entry).
    public var connectionLimit = 0
    /// Half-open connections dropped to make room in a full backlog for a newer SYN.
    public var halfOpenEvicted = 0
    /// TIME-WAIT connections ended early to make room for a new connection.
    public var timeWaitEvicted = 0
    /// Segments and SYNs dropped because the stack's buffer budget was spent.
    public var memoryPressure = 0
    /// Segments dropped because a connection's out-of-order queue was full.
    public var outOfOrderDropped = 0
    /// Frames the device refused (its ring was full despite the room it reported).
    public var transmitDropped = 0
    /// Loss recovery: fast retransmits (each a recovery episode), retransmission timeouts
    /// that fired on a data-carrying connection, and tail loss probes sent.
    public var fastRetransmits = 0
    public var retransmissionTimeouts = 0
    public var tailLossProbes = 0
    /// UDP datagrams dropped because their port's queue was full.
    public var udpQueueFull = 0

    public init() {}

    mutating func count(_ error: WireError) {
        switch error {
        case .truncated, .badLength: malformed += 1
        case .badChecksum: badChecksums += 1
        case .fragment: fragmentsDropped += 1
        case .unsupported: unsupported += 1
        }
    }
}

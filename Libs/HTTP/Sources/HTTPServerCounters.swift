/// What an HTTP server has done, and every refusal by its reason.
public struct HTTPServerCounters: Sendable, Equatable {
    /// Connections taken from the listener.
    public var accepted = 0
    /// Requests answered by the responder.
    public var requests = 0
    /// Requests refused by the parser (4xx/5xx, then close).
    public var refusedRequests = 0
    /// Connections answered 503 because the connection limit was reached and none was idle.
    public var refusedAtLimit = 0
    /// Idle kept-alive connections closed to make room for a new one.
    public var evictedIdle = 0
    /// Requests whose header or body did not arrive in time (408).
    public var timedOut = 0
    /// Kept-alive connections closed after their idle timeout.
    public var closedIdle = 0
    /// Connections reset because the peer took no response bytes for the send timeout.
    public var resetStalled = 0
    /// Connections the peer closed in the middle of a request (closed, nothing answered).
    public var closedMidRequest = 0
    /// Reads deferred because the total input budget was spent.
    public var throttledReads = 0

    public init() {}
}

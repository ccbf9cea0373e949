/// How much a client may make the server hold, and for how long: every budget a request
/// or a connection is checked against. Times are in milliseconds of the server's clock.
public struct HTTPLimits: Sendable, Equatable {
    /// The longest request line (longer: 414).
    public var maximumRequestLine = 8 * 1024
    /// The most bytes of request line plus header fields (more: 431).
    public var maximumHeaderBytes = 16 * 1024
    /// The most header fields in one request (more: 431).
    public var maximumHeaderFields = 100
    /// The largest request body, after chunked decoding (larger: 413).
    public var maximumBodyBytes = 1 << 20
    /// The most connections served at once; beyond it the longest-idle connection is closed,
    /// or, when none is idle, the new one is answered 503.
    public var maximumConnections = 256
    /// The most bytes of request input buffered over all connections; a connection that needs
    /// to read more of a request while the budget is spent is answered 503.
    public var maximumBufferedInput = 8 << 20
    /// The most response bytes one connection holds before the transport takes them.
    public var outputChunk = 16 * 1024
    /// From a request's first byte (or the connection's start) to the end of its header
    /// (else 408 and close: slowloris).
    public var headerTimeout: UInt64 = 20_000
    /// The longest pause while a body arrives (else 408 and close).
    public var bodyTimeout: UInt64 = 20_000
    /// From a request's first byte to its last: a body dripped just fast enough to dodge
    /// `bodyTimeout` still ends here (408 and close).
    public var requestTimeout: UInt64 = 300_000
    /// How long a kept-alive connection may wait for its next request (then it is closed).
    public var idleTimeout: UInt64 = 60_000
    /// How long the peer may take no response bytes at all (a zero window held) before the
    /// connection is reset.
    public var sendTimeout: UInt64 = 120_000

    public init() {}
}

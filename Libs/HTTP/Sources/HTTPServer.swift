/// An HTTP/1.1 server: connections from a ``StreamListener``, requests answered by a
/// ``HTTPResponder``, everything a client can make it hold bounded by ``HTTPLimits``.
///
/// Guarantees: at most `maximumConnections` connections (at the limit the longest-idle one is
/// closed for a newcomer, or the newcomer gets 503); at most `maximumBufferedInput` bytes of
/// request input over all connections (beyond it reads wait); each connection within its
/// own limits and deadlines (``HTTPServerConnection``). Driven by `step(now:)` from one
/// thread; never blocks.
public struct HTTPServer<Listener: StreamListener, Responder: HTTPResponder> {
    public let listener: Listener
    public var responder: Responder
    public let limits: HTTPLimits
    var connections: [HTTPServerConnection<Listener.Stream>] = []
    public private(set) var counters = HTTPServerCounters()

    public init(listener: Listener, responder: Responder, limits: HTTPLimits = HTTPLimits()) {
        self.listener = listener
        self.responder = responder
        self.limits = limits
    }

    /// Connections being served.
    public var connectionCount: Int { connections.count }

    /// Request bytes buffered over all connections.
    public var bufferedInputBytes: Int { connections.reduce(0) { $0 + $1.reader.bufferedBytes } }

    static var busyResponse: [UInt8] {
        Array("HTTP/1.1 503 Service Unavailable\r\nServer: SwiftyHermit\r\nContent-Length: 5\r\nContent-Type: text/plain\r\nConnection: close\r\nRetry-After: 1\r\n\r\nbusy\n".utf8)
    }

    /// One round: accept, then read, answer and write on every connection, then drop the
    /// finished ones. `now` is in milliseconds. Returns whether anything moved.
    public mutating func step(now: UInt64) -> Bool {
        var busy = false
        while let stream = listener.tryAccept() {
            busy = true
            counters.accepted += 1
            if connections.count >= limits.maximumConnections && !evictIdle() {
                counters.refusedAtLimit += 1
                _ = stream.tryWrite(HTTPServer.busyResponse[...])
                stream.close()
                continue
            }
            connections.append(HTTPServerConnection(stream: stream, limits: limits, now: now))
        }
        var buffered = bufferedInputBytes
        for index in connections.indices {
            let before = connections[index].reader.bufferedBytes
            let budget = max(0, limits.maximumBufferedInput - buffered)
            busy = connections[index].step(now: now, inputBudget: budget, responder: &responder, counters: &counters) || busy
            buffered += connections[index].reader.bufferedBytes - before
        }
        connections.removeAll { $0.finished }
        return busy
    }

    /// Closes the connection idle the longest, if any is idle; whether one was.
    mutating func evictIdle() -> Bool {
        var oldest: (index: Int, since: UInt64)? = nil
        for index in connections.indices where connections[index].isIdle {
            let since = connections[index].idleSince
            if since < oldest?.since ?? UInt64.max { oldest = (index, since) }
        }
        guard let oldest = oldest?.index else { return false }
        connections[oldest].end()
        connections.remove(at: oldest)
        counters.evictedIdle += 1
        return true
    }
}

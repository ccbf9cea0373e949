/// One client connection of an ``HTTPServer``: reads requests through an
/// ``HTTPRequestReader``, answers them one at a time through an ``HTTPResponseWriter``, and
/// enforces the deadlines of ``HTTPLimits``.
///
/// Guarantees: it holds at most the reader's limit of input plus one output chunk; a request
/// that does not arrive in time gets 408, an idle connection is closed, a peer that takes no
/// bytes for the send timeout is reset; a peer that closes mid-request is closed too; after
/// a refused request nothing more is read.
struct HTTPServerConnection<Stream: ByteStream> {
    let stream: Stream
    var reader: HTTPRequestReader
    var writer: HTTPResponseWriter? = nil
    var pending: [UInt8] = []
    var pendingSent = 0
    var closeAfterResponse = false
    var peerClosed = false
    var finished = false
    /// Whether no request has been answered yet (the first waits `headerTimeout`, later ones
    /// `idleTimeout`).
    var firstRequest = true
    var idleSince: UInt64
    var requestStarted: UInt64 = 0
    var lastInput: UInt64
    var lastOutput: UInt64

    static var continueLine: [UInt8] { Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) }

    init(stream: Stream, limits: HTTPLimits, now: UInt64) {
        self.stream = stream
        reader = HTTPRequestReader(limits: limits)
        idleSince = now
        lastInput = now
        lastOutput = now
    }

    /// Idle: between requests, nothing buffered and nothing being answered.
    var isIdle: Bool { writer == nil && pending.isEmpty && reader.isIdle && !finished }

    var limits: HTTPLimits { reader.limits }

    /// One round of reading, answering, writing and deadline checks. `inputBudget` is how
    /// many more bytes of input the server lets this connection buffer. Returns whether
    /// anything moved.
    mutating func step<Responder: HTTPResponder>(now: UInt64, inputBudget: Int, responder: inout Responder,
                                                  counters: inout HTTPServerCounters) -> Bool {
        var busy = write(now: now)
        busy = read(now: now, budget: inputBudget, counters: &counters) || busy
        while writer == nil && pending.isEmpty && !finished && !closeAfterResponse {
            guard let event = reader.next() else {
                if reader.takeContinueRequest() {
                    // The head asked to be told to send its body: tell it now, not next round.
                    pending = HTTPServerConnection.continueLine
                    pendingSent = 0
                    busy = write(now: now) || busy
                } else if peerClosed {
                    if !reader.isIdle { counters.closedMidRequest += 1 }
                    end()
                }
                break
            }
            busy = true
            switch event {
            case .request(let request):
                counters.requests += 1
                requestStarted = now   // what follows in the buffer is the next request's start
                let response = responder.respond(to: request)
                begin(HTTPResponseWriter(response, method: request.method, version: request.version, keepAlive: request.keepAlive),
                      closing: !request.keepAlive, now: now)
            case .failure(let error):
                counters.refusedRequests += 1
                respondWithError(error, now: now)
            }
            busy = write(now: now) || busy
        }
        checkDeadlines(now: now, counters: &counters)
        if !stream.isOpen { finished = true }
        return busy
    }

    mutating func begin(_ response: HTTPResponseWriter, closing: Bool, now: UInt64) {
        writer = response
        closeAfterResponse = closing
        lastOutput = now
    }

    mutating func respondWithError(_ error: HTTPRequestError, now: UInt64) {
        begin(HTTPResponseWriter(.error(error), method: nil, version: .http11, keepAlive: false), closing: true, now: now)
    }

    /// Hands the transport what it takes of the current response.
    mutating func write(now: UInt64) -> Bool {
        var moved = false
        while !finished {
            if pendingSent == pending.count {
                pending = []
                pendingSent = 0
                guard var current = writer else { break }
                if current.isFinished {
                    writer = nil
                    firstRequest = false
                    idleSince = now
                    if closeAfterResponse { end() }
                    break
                }
                pending = current.next(maximum: limits.outputChunk)
                writer = current
                continue
            }
            let taken = stream.tryWrite(pending[pendingSent...])
            guard taken > 0 else { break }
            pendingSent += taken
            lastOutput = now
            moved = true
        }
        return moved
    }

    /// Takes what the reader has room for (within the server's budget).
    mutating func read(now: UInt64, budget: Int, counters: inout HTTPServerCounters) -> Bool {
        guard !peerClosed, !finished, !closeAfterResponse, !reader.hasFailed else { return false }
        let room = min(reader.room, budget)
        guard room > 0 else {
            guard reader.room > 0 else { return false }
            counters.throttledReads += 1
            // Mid-request with the server's input budget spent: refuse it (503) rather than let
            // it, and everyone else mid-request, starve until their deadlines.
            if !reader.isIdle {
                counters.refusedRequests += 1
                respondWithError(.overloaded, now: now)
                return write(now: now)
            }
            return false
        }
        guard let bytes = stream.tryRead(maximum: room) else {
            peerClosed = true
            return true
        }
        guard !bytes.isEmpty else { return false }
        if reader.isIdle { requestStarted = now }
        reader.append(bytes)
        lastInput = now
        return true
    }

    mutating func checkDeadlines(now: UInt64, counters: inout HTTPServerCounters) {
        guard !finished else { return }
        if writer != nil || !pending.isEmpty {
            if now &- lastOutput >= limits.sendTimeout {
                counters.resetStalled += 1
                stream.abort()
                finished = true
            }
        } else if reader.isIdle {
            if now &- idleSince >= (firstRequest ? limits.headerTimeout : limits.idleTimeout) {
                counters.closedIdle += 1
                end()
            }
        } else if reader.isReadingHead ? now &- requestStarted >= limits.headerTimeout
                    : now &- lastInput >= limits.bodyTimeout || now &- requestStarted >= limits.requestTimeout {
            counters.timedOut += 1
            respondWithError(.timedOut, now: now)
            _ = write(now: now)
        }
    }

    /// Closes gracefully (a FIN after what is queued).
    mutating func end() {
        guard !finished else { return }
        stream.close()
        finished = true
    }
}

/// Turns a connection's bytes, in whatever pieces they arrive, into complete requests: the
/// total HTTP/1.1 request parser (RFC 9112).
///
/// Guarantees: it never holds more than ``room`` allows (the header limit while a head
/// arrives, the declared or limited body while a body does); a body is framed by its
/// Content-Length or chunked coding and delivered with its request, so it is never parsed as
/// a further request; after a failure it yields that failure and nothing more (the
/// connection must close, since what follows cannot be framed). Every line must end in CRLF.
public struct HTTPRequestReader: Sendable {
    /// What ``next()`` found.
    public enum Event: Sendable, Equatable {
        case request(HTTPRequest)
        case failure(HTTPRequestError)
    }

    enum Phase: Sendable, Equatable {
        case head
        case body(HTTPRequestHead, length: Int)
        case chunked(HTTPRequestHead, ChunkedBodyDecoder)
        case failed(HTTPRequestError)
    }

    public let limits: HTTPLimits
    var buffer: [UInt8] = []
    /// Bytes of `buffer` already consumed.
    var start = 0
    /// How far the search for the end of the head has got (an index into `buffer`).
    var scanned = 0
    var phase = Phase.head
    /// Where the current head's request line ends, once its CRLF has been seen.
    var requestLineEnd: Int? = nil
    /// Set when a head asked for `100 Continue`; taken by ``takeContinueRequest()``.
    var continueRequested = false

    public init(limits: HTTPLimits) { self.limits = limits }

    /// Bytes buffered and not yet part of a delivered request.
    public var bufferedBytes: Int {
        var count = buffer.count - start
        if case .chunked(_, let decoder) = phase { count += decoder.body.count }
        return count
    }

    /// Whether nothing of a next request has arrived (the connection is idle between requests).
    public var isIdle: Bool { phase == .head && buffer.count == start }

    /// Whether a request's head (not its body) is what arrives next.
    public var isReadingHead: Bool { phase == .head }

    /// Whether the reader has failed (and will only repeat its failure).
    public var hasFailed: Bool {
        if case .failed = phase { return true }
        return false
    }

    /// How many more bytes the reader takes now: none once it failed.
    public var room: Int {
        let pending = buffer.count - start
        switch phase {
        case .head: return max(0, limits.maximumHeaderBytes + 4 - pending)
        case .body(_, let length): return max(0, length - pending)
        case .chunked: return max(0, limits.outputChunk - pending)
        case .failed: return 0
        }
    }

    /// Adds received bytes (at most ``room``; more are ignored, and the caller's budget
    /// accounting should not let that happen).
    public mutating func append(_ bytes: [UInt8]) {
        guard !hasFailed else { return }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            scanned -= start
            if let end = requestLineEnd { requestLineEnd = end - start }
            start = 0
        }
        buffer += bytes.prefix(max(room, 0))
    }

    /// Whether a head that arrived since the last call asked for `100 Continue` (once).
    public mutating func takeContinueRequest() -> Bool {
        defer { continueRequested = false }
        return continueRequested
    }

    /// The next complete request or failure from the bytes buffered so far; nil if more
    /// bytes are needed.
    public mutating func next() -> Event? {
        switch phase {
        case .failed(let error):
            return .failure(error)
        case .head:
            guard let head = nextHead() else { return nil }
            switch head {
            case .failure(let error):
                return fail(error)
            case .success(let head):
                switch head.framing {
                case .none, .length(0): return .request(request(head, body: []))
                case .length(let length): phase = .body(head, length: length)
                case .chunked: phase = .chunked(head, ChunkedBodyDecoder(limits: limits))
                }
                // `100 Continue` only if the body is still to come.
                let event = next()
                continueRequested = event == nil && head.expectsContinue
                return event
            }
        case .body(let head, let length):
            guard buffer.count - start >= length else { return nil }
            let body = Array(buffer[start..<(start + length)])
            start += length
            scanned = start
            phase = .head
            return .request(request(head, body: body))
        case .chunked(let head, var decoder):
            do {
                start += try decoder.consume(buffer[start...])
            } catch {
                return fail(error)
            }
            scanned = start
            guard decoder.isDone else { phase = .chunked(head, decoder); return nil }
            phase = .head
            return .request(request(head, body: decoder.body))
        }
    }

    mutating func fail(_ error: HTTPRequestError) -> Event {
        phase = .failed(error)
        buffer = []
        start = 0
        scanned = 0
        requestLineEnd = nil
        return .failure(error)
    }

    func request(_ head: HTTPRequestHead, body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: head.method, target: head.target, version: head.version, headers: head.headers, body: body, keepAlive: head.keepAlive)
    }

    enum HeadResult {
        case success(HTTPRequestHead)
        case failure(HTTPRequestError)
    }

    /// Searches on from `scanned` for the empty line that ends the head, refusing bare line
    /// breaks and over-long lines as soon as they are seen.
    mutating func nextHead() -> HeadResult? {
        // Empty lines before a request line are ignored (RFC 9112 §2.2).
        while buffer.count - start >= 2 && buffer[start] == ASCII.cr && buffer[start + 1] == ASCII.lf {
            start += 2
        }
        if scanned < start { scanned = start }
        var index = scanned
        while index < buffer.count {
            let byte = buffer[index]
            if byte == ASCII.lf {
                guard index > start, buffer[index - 1] == ASCII.cr else { return .failure(.bareLineBreak) }
                if requestLineEnd == nil {
                    requestLineEnd = index - 1
                    guard index - 1 - start <= limits.maximumRequestLine else { return .failure(.requestLineTooLong) }
                }
                // CRLF CRLF: the head ends here.
                if index - start >= 3 && buffer[index - 2] == ASCII.lf && buffer[index - 3] == ASCII.cr {
                    let head = buffer[start..<(index - 1)]
                    guard head.count <= limits.maximumHeaderBytes + 2 else { return .failure(.headerTooLarge) }
                    let parsed: HTTPRequestHead
                    do { parsed = try HTTPRequestHead(parsing: head, limits: limits) } catch { return .failure(error) }
                    start = index + 1
                    scanned = start
                    requestLineEnd = nil
                    return .success(parsed)
                }
            } else if index > start && buffer[index - 1] == ASCII.cr {
                return .failure(.bareLineBreak)   // a CR not followed by LF
            }
            index += 1
        }
        scanned = index
        let pending = buffer.count - start
        if requestLineEnd == nil && pending > limits.maximumRequestLine { return .failure(.requestLineTooLong) }
        if let end = requestLineEnd, end - start > limits.maximumRequestLine { return .failure(.requestLineTooLong) }
        if pending > limits.maximumHeaderBytes + 2 { return .failure(.headerTooLarge) }
        return nil
    }
}

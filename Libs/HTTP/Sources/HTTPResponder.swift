/// The application's half of a server: a complete request in, a response out. The server
/// does everything else (framing, limits, deadlines, keep-alive), so a responder never sees
/// a malformed or partial request.
public protocol HTTPResponder {
    mutating func respond(to request: HTTPRequest) -> HTTPResponse
}

/// Serialises one response (RFC 9112 §4, §6): the status line and fields, then the body in
/// pieces of at most a given size, so what a connection holds of a response stays bounded.
///
/// Guarantees: Content-Length always equals the bytes that follow; a response to HEAD (and
/// a 1xx, 204 or 304) carries no body; `Connection: close` is sent exactly when the server
/// will close after it.
public struct HTTPResponseWriter: Sendable {
    let head: [UInt8]
    let body: HTTPBody
    let sendsBody: Bool
    var headSent = false
    var offset = 0

    public init(_ response: HTTPResponse, method: HTTPMethod?, version: HTTPVersion, keepAlive: Bool) {
        var text = "HTTP/1.1 \(response.status.code) \(response.status.reason)\r\nServer: SwiftyHermit\r\n"
        let bodyless = response.status.code < 200 || response.status.code == 204 || response.status.code == 304
        if !bodyless {
            text += "Content-Length: \(response.body.count)\r\nContent-Type: \(response.contentType)\r\n"
        }
        for field in response.fields { text += "\(field.name): \(field.value)\r\n" }
        if response.status.code >= 200 {
            text += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        }
        text += "\r\n"
        head = Array(text.utf8)
        body = response.body
        sendsBody = !bodyless && method != .head
    }

    /// Whether every byte has been handed out.
    public var isFinished: Bool { headSent && (!sendsBody || offset >= body.count) }

    /// The next bytes to send, at most `maximum` of body (the head goes out whole first).
    public mutating func next(maximum: Int) -> [UInt8] {
        if !headSent {
            headSent = true
            return head
        }
        guard sendsBody else { return [] }
        let piece = body.piece(at: offset, count: max(1, maximum))
        offset += piece.count
        return piece
    }
}

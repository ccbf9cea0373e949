import Net

/// A small HTTP/1.1 server over Net's TCP: one event loop serving every connection without
/// blocking, keep-alive, `Content-Length` on every response.
///
/// Routes: `/` a small page, `/health` "ok", `/bytes/<n>` n bytes (up to 16 MiB), anything else
/// 404. A request that is not HTTP/1.x, or whose headers exceed 16 KiB, gets 400 and the
/// connection closes.
public struct HTTPServer {
    struct Client {
        var stream: TCPStream
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        var closeAfterSending = false
    }

    public static let page = Array("""
        <!doctype html>
        <html><head><title>SwiftyHermit</title></head>
        <body><h1>Hello from SwiftyHermit</h1><p>Served by a unikernel written in Swift.</p></body></html>

        """.utf8)
    static let maximumHeader = 16 * 1024
    static let maximumBody = 16 << 20

    let listener: TCPListener
    var clients: [Client] = []
    public private(set) var requestsServed = 0
    /// Set by a request for `/shutdown`.
    public private(set) var shutdownRequested = false

    public init?(stack: NetworkStack, port: UInt16) {
        guard let listener = TCPListener(stack: stack, port: port, backlog: 64) else { return nil }
        self.listener = listener
    }

    /// One round: accept, read, answer, write. Returns whether anything moved.
    public mutating func step() -> Bool {
        var busy = listener.stack.poll()
        while let stream = listener.tryAccept() {
            clients.append(Client(stream: stream))
            busy = true
        }
        var index = 0
        while index < clients.count {
            var client = clients[index]
            var finished = false
            if client.sent == client.output.count {
                if let bytes = client.stream.tryRead(maximum: 65536) {
                    if !bytes.isEmpty { client.input += bytes; busy = true }
                } else if client.input.isEmpty {
                    finished = true   // the peer closed
                }
                if client.output.isEmpty || client.sent == client.output.count { answer(&client) }
            }
            if client.sent < client.output.count {
                let taken = client.stream.tryWrite(client.output[client.sent...])
                client.sent += taken
                if taken > 0 { busy = true }
                if client.sent == client.output.count {
                    client.output = []
                    client.sent = 0
                    if client.closeAfterSending { finished = true }
                }
            }
            if client.stream.state == .reset || client.stream.state == .closed { finished = true }
            if finished {
                client.stream.close()
                clients.remove(at: index)
            } else {
                clients[index] = client
                index += 1
            }
        }
        // Send what this round wrote without waiting for the next one.
        if busy { listener.stack.poll(budget: 0) }
        return busy
    }

    /// Turns complete requests in `client.input` into responses.
    mutating func answer(_ client: inout Client) {
        while client.output.isEmpty, let end = HTTPServer.endOfHeader(client.input) {
            let head = Array(client.input[..<end])
            client.input.removeFirst(end + 4)
            let lines = HTTPServer.lines(head)
            let parts = lines.first.map { $0.split(separator: UInt8(ascii: " ")) } ?? []
            guard parts.count == 3, parts[2].starts(with: Array("HTTP/1.".utf8)) else {
                client.output = HTTPServer.response(status: "400 Bad Request", body: Array("bad request\n".utf8), close: true)
                client.closeAfterSending = true
                return
            }
            var close = Array(parts[2]) == Array("HTTP/1.0".utf8)
            var bodyLength = 0
            for line in lines.dropFirst() {
                let field = line.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }   // ASCII lower case
                if field.starts(with: Array("connection:".utf8)) {
                    if HTTPServer.find(Array("close".utf8), in: field) { close = true }
                    if HTTPServer.find(Array("keep-alive".utf8), in: field) { close = false }
                }
                if field.starts(with: Array("content-length:".utf8)) {
                    bodyLength = Int(String(decoding: field.dropFirst(15).filter { $0 != 32 }, as: UTF8.self)) ?? 0
                }
            }
            let discard = min(bodyLength, client.input.count)   // request bodies are ignored
            client.input.removeFirst(discard)
            let (status, body) = route(String(decoding: parts[1], as: UTF8.self))
            client.output = HTTPServer.response(status: status, body: body, close: close)
            client.closeAfterSending = close
            requestsServed += 1
        }
        if client.input.count > HTTPServer.maximumHeader && HTTPServer.endOfHeader(client.input) == nil {
            client.input = []
            client.output = HTTPServer.response(status: "400 Bad Request", body: Array("header too large\n".utf8), close: true)
            client.closeAfterSending = true
        }
    }

    mutating func route(_ path: String) -> (String, [UInt8]) {
        if path == "/" || path == "/index.html" { return ("200 OK", HTTPServer.page) }
        if path == "/health" { return ("200 OK", Array("ok\n".utf8)) }
        if path == "/shutdown" { shutdownRequested = true; return ("200 OK", Array("bye\n".utf8)) }
        if path.hasPrefix("/bytes/"), let count = Int(path.dropFirst(7)), count >= 0, count <= HTTPServer.maximumBody {
            return ("200 OK", (0..<count).map { UInt8(0x61 + $0 % 26) })
        }
        return ("404 Not Found", Array("not found\n".utf8))
    }

    static func response(status: String, body: [UInt8], close: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\nServer: SwiftyHermit\r\nContent-Length: \(body.count)\r\n"
        head += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n"
        head += "Content-Type: \(body.first == UInt8(ascii: "<") ? "text/html" : "text/plain")\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// The header's lines (split at CRLF).
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 {
                lines.append(bytes[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(bytes[start...])
        return lines
    }

    /// Whether `needle` occurs in `haystack`.
    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle { return true }
        return false
    }

    /// The index of the blank line ending the header, if it has arrived.
    static func endOfHeader(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

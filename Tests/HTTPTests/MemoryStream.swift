@testable import HTTP

/// An in-memory transport: the test plays the client, writing into `inbox` and reading
/// `received`; `window` bounds what the server may write (0: a zero window held).
final class MemoryStream: ByteStream {
    var inbox: [UInt8] = []
    var peerClosedSending = false
    var received: [UInt8] = []
    var window = Int.max
    var closed = false
    var aborted = false

    func tryRead(maximum: Int) -> [UInt8]? {
        if inbox.isEmpty { return peerClosedSending || aborted ? nil : [] }
        let taken = Array(inbox.prefix(maximum))
        inbox.removeFirst(taken.count)
        return taken
    }

    func tryWrite(_ bytes: ArraySlice<UInt8>) -> Int {
        guard !closed && !aborted else { return 0 }
        let taken = min(bytes.count, window)
        received += bytes.prefix(taken)
        if window != Int.max { window -= taken }
        return taken
    }

    func close() { closed = true }
    func abort() { aborted = true }
    var isOpen: Bool { !aborted }

    func send(_ text: String) { inbox += Array(text.utf8) }
    var receivedText: String { String(decoding: received, as: UTF8.self) }
}

final class MemoryListener: StreamListener {
    var waiting: [MemoryStream] = []
    func tryAccept() -> MemoryStream? { waiting.isEmpty ? nil : waiting.removeFirst() }

    func connect() -> MemoryStream {
        let stream = MemoryStream()
        waiting.append(stream)
        return stream
    }
}

/// A responder like the httpd app's: a page, streamed bytes, an echo of the body.
struct TestResponder: HTTPResponder {
    var seen: [HTTPRequest] = []

    mutating func respond(to request: HTTPRequest) -> HTTPResponse {
        seen.append(request)
        switch request.path {
        case "/": return HTTPResponse(status: .ok, contentType: "text/html", body: .bytes(Array("<p>hi</p>".utf8)))
        case "/echo": return HTTPResponse(status: .ok, body: .bytes(request.body))
        case "/nocontent": return HTTPResponse(status: HTTPStatus(code: 204, reason: "No Content"), body: .empty)
        default:
            if request.path.hasPrefix("/bytes/"), let count = Int(request.path.dropFirst(7)) {
                return HTTPResponse(status: .ok, body: .generated(count: count) { offset, count in
                    (offset..<(offset + count)).map { UInt8(0x61 + $0 % 26) }
                })
            }
            return .text(.notFound, "not found")
        }
    }
}

/// Splits responses as a client reads them: status code, fields, body per Content-Length.
struct ParsedResponse {
    let status: Int
    let fields: [String: String]
    let body: [UInt8]

    static func all(_ bytes: [UInt8]) -> [ParsedResponse] {
        var out: [ParsedResponse] = []
        var rest = bytes[...]
        while let end = rest.indices.first(where: { rest[$0...].starts(with: Array("\r\n\r\n".utf8)) }) {
            let head = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
            var fields: [String: String] = [:]
            for line in lines {
                let parts = line.split(separator: ":", maxSplits: 1)
                fields[parts[0].lowercased()] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
            }
            var bodyStart = end + 4
            let length = status >= 200 ? Int(fields["content-length"] ?? "0") ?? 0 : 0
            if status == 100 { out.append(ParsedResponse(status: status, fields: fields, body: [])); rest = rest[bodyStart...]; continue }
            let bodyEnd = min(bodyStart + length, rest.endIndex)
            out.append(ParsedResponse(status: status, fields: fields, body: Array(rest[bodyStart..<bodyEnd])))
            bodyStart = bodyEnd
            rest = rest[bodyStart...]
        }
        return out
    }
}

import Foundation

/// A reproducible generator for the randomised tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

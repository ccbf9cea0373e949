// libFuzzer target `http`: every input is what one client sends, fed to an HTTPServer over an
// in-memory stream in pieces whose sizes the input's first byte chooses, with the clock
// advancing and the client's window opening and closing. It checks the server's promises:
// no trap, input held within the limits, and every response framed by its Content-Length.
// Built by Tests/Fuzz/run with HTTP's sources (not its Net adapter) in the same module.

final class FuzzStream: ByteStream {
    var input: [UInt8] = []
    var offset = 0
    var piece = 1
    var window = 0
    var output: [UInt8] = []
    var closed = false
    var aborted = false

    func tryRead(maximum: Int) -> [UInt8]? {
        guard offset < input.count else { return nil }   // then the client half-closes
        let count = min(piece, maximum, input.count - offset)
        defer { offset += count }
        return Array(input[offset..<(offset + count)])
    }

    func tryWrite(_ bytes: ArraySlice<UInt8>) -> Int {
        let count = min(bytes.count, window)
        output += bytes.prefix(count)
        return count
    }

    func close() { closed = true }
    func abort() { aborted = true }
    var isOpen: Bool { !aborted }
}

final class FuzzListener: StreamListener {
    var next: FuzzStream? = nil
    func tryAccept() -> FuzzStream? { defer { next = nil }; return next }
}

struct EchoResponder: HTTPResponder {
    mutating func respond(to request: HTTPRequest) -> HTTPResponse {
        if request.path.hasPrefix("/bytes/"), let count = Int(request.path.dropFirst(7)), count >= 0, count < 100_000 {
            return HTTPResponse(status: .ok, body: .generated(count: count) { offset, count in [UInt8](repeating: UInt8(truncatingIfNeeded: offset), count: count) })
        }
        return HTTPResponse(status: .ok, body: .bytes(request.body))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = HTTPLimits()
    limits.maximumHeaderBytes = 2048
    limits.maximumRequestLine = 512
    limits.maximumBodyBytes = 4096
    limits.headerTimeout = 50
    let stream = FuzzStream()
    stream.piece = Int(bytes[0] % 64) + 1
    stream.input = Array(bytes.dropFirst())
    let listener = FuzzListener()
    listener.next = stream
    var server = HTTPServer(listener: listener, responder: EchoResponder(), limits: limits)
    var now: UInt64 = 0
    for round in 0..<(stream.input.count + 200) {
        stream.window = round % 3 == 0 ? 0 : 1500
        _ = server.step(now: now)
        now += 7
        if server.bufferedInputBytes > limits.maximumHeaderBytes + 4 + limits.maximumBodyBytes { fatalError("input past its limits") }
        if server.connectionCount == 0 { break }
    }
    // Every complete response the client received is framed by its Content-Length.
    var rest = stream.output[...]
    while let end = firstBlankLine(rest) {
        let head = rest[rest.startIndex..<end]
        var length = 0
        for line in head.split(separator: 10) where line.starts(with: Array("Content-Length: ".utf8)) {
            length = Int(String(decoding: line.dropFirst(16).filter { $0 != 13 }, as: UTF8.self)) ?? -1
        }
        if length < 0 { fatalError("a response without a valid Content-Length") }
        let bodyStart = end + 4
        if head.starts(with: Array("HTTP/1.1 100".utf8)) { rest = rest[bodyStart...]; continue }
        guard bodyStart + length <= rest.endIndex else { break }   // cut off by the round limit
        rest = rest[(bodyStart + length)...]
        if let first = rest.first, first != UInt8(ascii: "H") { fatalError("bytes after a response that are not a response") }
    }
    return 0
}

func firstBlankLine(_ bytes: ArraySlice<UInt8>) -> Int? {
    var index = bytes.startIndex
    while index + 3 < bytes.endIndex {
        if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 { return index }
        index += 1
    }
    return nil
}

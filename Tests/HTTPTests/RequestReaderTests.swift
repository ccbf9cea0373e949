import Testing
@testable import HTTP

@Suite("HTTP/1.1 request parsing (RFC 9112)")
struct RequestReaderTests {
    /// Feeds `text` in pieces of `piece` bytes and collects every event.
    func events(_ text: String, piece: Int = .max, limits: HTTPLimits = HTTPLimits()) -> [HTTPRequestReader.Event] {
        var reader = HTTPRequestReader(limits: limits)
        var input = Array(text.utf8)[...]
        var out: [HTTPRequestReader.Event] = []
        while true {
            let take = min(piece, reader.room, input.count)
            reader.append(Array(input.prefix(take)))
            input = input.dropFirst(take)
            while let event = reader.next() {
                out.append(event)
                if case .failure = event { return out }
            }
            if input.isEmpty || (take == 0) { return out }
        }
    }

    func requests(_ text: String, piece: Int = .max) -> [HTTPRequest] {
        events(text, piece: piece).compactMap { if case .request(let request) = $0 { request } else { nil } }
    }

    func failure(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPRequestError? {
        for event in events(text, limits: limits) { if case .failure(let error) = event { return error } }
        return nil
    }

    @Test func aSimpleGetWithDefaultsForEachVersion() throws {
        let request = try #require(requests("GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n").first)
        #expect(request.method == .get && request.path == "/a/b" && request.query == "x=1" && request.version == .http11)
        #expect(request.keepAlive && request.body.isEmpty)
        #expect(request.headers.first("ACCEPT") == "*/*")
        #expect(requests("GET / HTTP/1.0\r\n\r\n").first?.keepAlive == false)
        #expect(requests("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").first?.keepAlive == true)
        #expect(requests("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n").first?.keepAlive == false)
    }

    @Test func anyWayTheBytesAreSplitGivesTheSameRequests() {
        let text = "\r\nPOST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: h\r\n\r\n"
        let whole = requests(text)
        #expect(whole.count == 2 && whole[0].body == Array("hello".utf8) && whole[1].path == "/")
        for piece in [1, 2, 3, 7, 16] { #expect(requests(text, piece: piece) == whole, "pieces of \(piece)") }
    }

    @Test func aBodyInALaterSegmentIsABodyNotASecondRequest() {
        let smuggled = "GET /admin HTTP/1.1\r\nHost: h\r\n\r\n"
        let text = "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: \(smuggled.utf8.count)\r\n\r\n" + smuggled
        for piece in [1, 10, 60, 1000] {
            let got = requests(text, piece: piece)
            #expect(got.count == 1 && got[0].body == Array(smuggled.utf8), "pieces of \(piece)")
        }
    }

    @Test func chunkedBodiesAreDecodedWithExtensionsAndTrailers() {
        let text = "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1 ; x\r\n!\r\n0\r\nX-Trailer: t\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"
        for piece in [1, 3, 1000] {
            let got = requests(text, piece: piece)
            #expect(got.count == 2 && got.first?.body == Array("hello!".utf8), "pieces of \(piece)")
        }
    }

    @Test(arguments: [
        // Framing conflicts (RFC 9112 §6.1, §6.3): refused, never guessed.
        ("Transfer-Encoding: chunked\r\nContent-Length: 5", HTTPRequestError.badTransferEncoding),
        ("Content-Length: 5\r\nContent-Length: 6", .badContentLength),
        ("Content-Length: 5, 6", .badContentLength),
        ("Content-Length: +5", .badContentLength),
        ("Content-Length: -1", .badContentLength),
        ("Content-Length: 0x10", .badContentLength),
        ("Content-Length: 5 5", .badContentLength),
        ("Content-Length: ", .badContentLength),
        ("Content-Length: 99999999999999999999999999", .bodyTooLarge),
        ("Content-Length: 2000000", .bodyTooLarge),
        ("Transfer-Encoding: gzip, chunked", .unsupportedTransferCoding),
        ("Transfer-Encoding: chunked, gzip", .badTransferEncoding),
        ("Transfer-Encoding: chunked, chunked", .badTransferEncoding),
        ("Transfer-Encoding: ", .badTransferEncoding),
        // Fields (RFC 9112 §5).
        ("Bad Name: x", .malformedField),
        ("Name : x", .malformedField),
        (": x", .malformedField),
        ("X: a\r\n folded", .malformedField),
        ("X: a\u{0}b", .malformedField),
        ("X: a\u{7f}b", .malformedField),
        ("NoColon", .malformedField),
        ("Host: second", .badHost),
        ("Expect: 200-ok", .unsupportedExpectation),
    ])
    func malformedOrAmbiguousFieldsAreRefused(field: String, error: HTTPRequestError) {
        #expect(failure("POST / HTTP/1.1\r\nHost: h\r\n\(field)\r\n\r\n") == error)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", HTTPRequestError.badHost),
        ("GET / HTTP/1.1\nHost: h\n\n", .bareLineBreak),
        ("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", .bareLineBreak),
        ("\nGET / HTTP/1.1\r\n\r\n", .bareLineBreak),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("GET /\u{1} HTTP/1.1\r\nHost: h\r\n\r\n", .malformedTarget),
        ("GET /é HTTP/1.1\r\nHost: h\r\n\r\n", .malformedTarget),
        ("GET x HTTP/1.1\r\nHost: h\r\n\r\n", .malformedTarget),
        ("GET * HTTP/1.1\r\nHost: h\r\n\r\n", .malformedTarget),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/1.1x\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("GET / http/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("get / HTTP/1.1\r\nHost: h\r\n\r\n", .unknownMethod),
        ("BREW / HTTP/1.1\r\nHost: h\r\n\r\n", .unknownMethod),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", .malformedRequestLine),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", .badTransferEncoding),
    ])
    func malformedRequestLinesAreRefused(text: String, error: HTTPRequestError) {
        #expect(failure(text) == error)
    }

    @Test func theFormsOfTheTarget() {
        #expect(requests("GET http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n").first?.target == Array("/x?y".utf8))
        #expect(requests("GET HTTP://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").first?.target == Array("/".utf8))
        #expect(requests("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").first?.target == Array("*".utf8))
        #expect(failure("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n") == .malformedTarget)
    }

    @Test func chunkedGrammarViolationsAndOversizeChunksAreRefused() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(failure(head + "zz\r\n") == .malformedChunk)
        #expect(failure(head + "1 2\r\nX\r\n0\r\n\r\n") == .malformedChunk, "whitespace inside a size")
        #expect(requests("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1 \t ;x\r\nX\r\n0\r\n\r\n").first?.body == [0x58])
        #expect(failure(head + "\r\n") == .malformedChunk)
        #expect(failure(head + "5\r\nhelloX") == .malformedChunk)
        #expect(failure(head + "5\nhello") == .malformedChunk)
        #expect(failure(head + "ffffffffffffffffffffffff\r\n") == .bodyTooLarge)
        #expect(failure(head + "100001\r\n") == .bodyTooLarge)
        #expect(failure(head + "0\r\nBad Trailer\r\n\r\n") == .malformedChunk)
        #expect(failure(head + "0\r\nNoColon\r\n\r\n") == .malformedChunk)
        #expect(failure(head + "0\r\nX: \u{1}\r\n\r\n") == .malformedChunk)
        #expect(failure(head + "1;" + String(repeating: "e", count: 2000) + "\r\n") == .malformedChunk)
        var limits = HTTPLimits()
        limits.maximumBodyBytes = 10
        // Many small chunks add up past the limit.
        #expect(failure(head + String(repeating: "3\r\nabc\r\n", count: 4), limits: limits) == .bodyTooLarge)
    }

    @Test func sizeLimitsAnswer414And431BeforeTheWholeHeaderArrives() {
        var limits = HTTPLimits()
        limits.maximumRequestLine = 100
        limits.maximumHeaderBytes = 300
        limits.maximumHeaderFields = 5
        // A request line that never ends: 414 as soon as the limit is passed.
        #expect(failure("GET /" + String(repeating: "a", count: 200), limits: limits) == .requestLineTooLong)
        #expect(failure("GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\n\r\n", limits: limits) == .requestLineTooLong)
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 400), limits: limits) == .headerTooLarge)
        #expect(failure("GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X: y\r\n", count: 6) + "\r\n", limits: limits) == .headerTooLarge)
        #expect(requests("GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X: y\r\n", count: 4) + "\r\n").count == 1)
    }

    @Test func expectContinueIsReportedOnce() {
        var reader = HTTPRequestReader(limits: HTTPLimits())
        reader.append(Array("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8))
        #expect(reader.next() == nil)
        #expect(reader.takeContinueRequest() && !reader.takeContinueRequest())
        reader.append(Array("abc".utf8))
        guard case .request(let request) = reader.next() else { Issue.record("no request"); return }
        #expect(request.body == Array("abc".utf8))
    }

    /// Random bytes and mutated valid requests: the reader never traps, never holds more
    /// than its limits, and after a failure yields only that failure.
    @Test func randomAndMutatedInputIsHandledTotally() {
        var generator = SplitMix(seed: 12)
        let seeds = ["GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                     "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody",
                     "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n"].map { Array($0.utf8) }
        var limits = HTTPLimits()
        limits.maximumHeaderBytes = 512
        limits.maximumBodyBytes = 256
        for round in 0..<3000 {
            var input = seeds[round % seeds.count]
            let mutations = Int(generator.next() % 6)
            for _ in 0..<mutations where !input.isEmpty {
                let position = Int(generator.next() % UInt64(input.count))
                switch generator.next() % 3 {
                case 0: input[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: input.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                default: input.remove(at: position)
                }
            }
            if round % 10 == 0 { input = (0..<Int(generator.next() % 2000)).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
            var reader = HTTPRequestReader(limits: limits)
            var offset = 0
            var failed: HTTPRequestError? = nil
            while offset < input.count {
                let take = min(Int(generator.next() % 64) + 1, input.count - offset, reader.room)
                if take == 0 { break }
                reader.append(Array(input[offset..<(offset + take)]))
                offset += take
                #expect(reader.bufferedBytes <= limits.maximumHeaderBytes + 4 + limits.maximumBodyBytes)
                while let event = reader.next() {
                    if case .failure(let error) = event { failed = error; break }
                }
                if failed != nil { break }
            }
            if let failed { #expect(reader.next() == .failure(failed) && reader.room == 0) }
        }
    }
}

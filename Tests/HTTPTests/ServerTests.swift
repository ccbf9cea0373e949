import Testing
@testable import HTTP

@Suite("HTTP server: framing, limits and deadlines")
struct ServerTests {
    final class Harness {
        let listener = MemoryListener()
        var server: HTTPServer<MemoryListener, TestResponder>
        var now: UInt64 = 1_000

        init(limits: HTTPLimits = HTTPLimits()) {
            server = HTTPServer(listener: listener, responder: TestResponder(), limits: limits)
        }

        func run(_ rounds: Int = 5, step: UInt64 = 1) {
            for _ in 0..<rounds {
                _ = server.step(now: now)
                now += step
            }
        }

        /// Advances the clock to `milliseconds` from now in steps, stepping the server.
        func wait(_ milliseconds: UInt64, step: UInt64 = 500) {
            let end = now + milliseconds
            while now < end { run(1, step: step) }
        }
    }

    @Test func headGetsTheHeadersOfGetWithoutTheBody() {
        let harness = Harness()
        let client = harness.listener.connect()
        client.send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        harness.run()
        let text = client.receivedText
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.contains("Content-Length: 9\r\n"))
        // The HEAD response has no body: the next response starts right after its head.
        let heads = text.components(separatedBy: "HTTP/1.1 200 OK")
        #expect(heads.count == 3 && heads[1].hasSuffix("\r\n\r\n"), "\(text)")
        #expect(text.hasSuffix("<p>hi</p>"))
    }

    @Test func aSmuggledRequestInTheBodyIsEchoedNotServed() {
        let harness = Harness()
        let client = harness.listener.connect()
        let smuggled = "GET /secret HTTP/1.1\r\nHost: h\r\n\r\n"
        client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: \(smuggled.utf8.count)\r\n\r\n")
        harness.run()
        client.send(smuggled)
        harness.run()
        let responses = ParsedResponse.all(client.received)
        #expect(responses.count == 1 && responses.first?.body == Array(smuggled.utf8))
        #expect(harness.server.responder.seen.map(\.path) == ["/echo"])
    }

    @Test func aLargeResponseIsStreamedWithBoundedMemory() {
        let harness = Harness()
        let client = harness.listener.connect()
        client.window = 0
        client.send("GET /bytes/10000000 HTTP/1.1\r\nHost: h\r\n\r\n")
        var delivered = 0
        for _ in 0..<2000 where delivered < 10_000_000 {
            client.window = 30_000
            harness.run(1)
            // The connection holds at most one output chunk beyond what the transport took.
            for connection in harness.server.connections { #expect(connection.pending.count <= HTTPLimits().outputChunk + 256) }
            delivered = client.received.count
        }
        let response = ParsedResponse.all(client.received).first
        #expect(response?.body.count == 10_000_000 && response?.body.prefix(3) == Array("abc".utf8)[...])
        #expect(response?.fields["content-length"] == "10000000")
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() {
        let harness = Harness()
        let client = harness.listener.connect()
        client.send("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        harness.run()
        #expect(client.receivedText == "HTTP/1.1 100 Continue\r\n\r\n")
        client.send("data")
        harness.run()
        #expect(ParsedResponse.all(client.received).map(\.status) == [100, 200])
    }

    @Test func slowlorisGets408AtTheHeaderDeadline() {
        var limits = HTTPLimits()
        limits.headerTimeout = 10_000
        let harness = Harness(limits: limits)
        let client = harness.listener.connect()
        let request = Array("GET / HTTP/1.1\r\nHost: h\r\nX-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n".utf8)
        for byte in request.prefix(20) {   // one byte every 400 ms: never idle, never done
            client.inbox.append(byte)
            harness.run(1, step: 400)
        }
        #expect(client.received.isEmpty && !client.closed)
        harness.wait(2_500)
        #expect(client.receivedText.hasPrefix("HTTP/1.1 408 Request Timeout\r\n") && client.closed)
        #expect(harness.server.counters.timedOut == 1 && harness.server.connectionCount == 0)
    }

    @Test func aStalledBodyGets408AndAnIdleConnectionIsClosed() {
        var limits = HTTPLimits()
        limits.bodyTimeout = 5_000
        limits.idleTimeout = 7_000
        let harness = Harness(limits: limits)
        let uploader = harness.listener.connect()
        let idler = harness.listener.connect()
        uploader.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nsome")
        idler.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        harness.run()
        #expect(ParsedResponse.all(idler.received).first?.status == 200 && !idler.closed)
        harness.wait(5_500)
        #expect(ParsedResponse.all(uploader.received).first?.status == 408 && uploader.closed)
        #expect(!idler.closed)
        harness.wait(2_000)
        #expect(idler.closed && harness.server.counters.closedIdle == 1)
    }

    @Test func aPeerThatNeverOpensItsWindowIsReset() {
        var limits = HTTPLimits()
        limits.sendTimeout = 30_000
        let harness = Harness(limits: limits)
        let client = harness.listener.connect()
        client.window = 100
        client.send("GET /bytes/100000 HTTP/1.1\r\nHost: h\r\n\r\n")
        harness.run()
        harness.wait(29_000)
        #expect(!client.aborted, "progress stopped less than the send timeout ago")
        harness.wait(2_000)
        #expect(client.aborted && harness.server.counters.resetStalled == 1 && harness.server.connectionCount == 0)
    }

    @Test func atTheConnectionLimitTheLongestIdleIsEvictedOrTheNewcomerGets503() {
        var limits = HTTPLimits()
        limits.maximumConnections = 3
        let harness = Harness(limits: limits)
        let idle = (0..<3).map { _ in harness.listener.connect() }
        for (index, client) in idle.enumerated() {
            client.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
            harness.run(1, step: UInt64(100 * (index + 1)))
        }
        let newcomer = harness.listener.connect()
        newcomer.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        harness.run()
        #expect(idle[0].closed && !idle[1].closed && !idle[2].closed, "the longest-idle connection made room")
        #expect(ParsedResponse.all(newcomer.received).first?.status == 200)
        // Now every connection is in the middle of a request: nobody can be evicted.
        for client in [idle[1], idle[2], newcomer] { client.send("GET / HT") }
        harness.run()
        let refused = harness.listener.connect()
        harness.run()
        #expect(ParsedResponse.all(refused.received).first?.status == 503 && refused.closed)
        #expect(harness.server.counters.refusedAtLimit == 1 && harness.server.counters.evictedIdle == 1)
        #expect(harness.server.connectionCount == 3)
    }

    @Test func aHalfClosedPeerGetsItsResponseButAPartialRequestIsClosed() {
        let harness = Harness()
        let complete = harness.listener.connect()
        complete.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        complete.peerClosedSending = true
        let partial = harness.listener.connect()
        partial.send("GET / HTTP/1.1\r\nHost:")
        partial.peerClosedSending = true
        harness.run()
        #expect(ParsedResponse.all(complete.received).first?.status == 200 && complete.closed)
        #expect(partial.received.isEmpty && partial.closed)
        #expect(harness.server.counters.closedMidRequest == 1 && harness.server.connectionCount == 0)
    }

    @Test func afterARefusedRequestNothingMoreIsReadAndTheConnectionCloses() {
        let harness = Harness()
        let client = harness.listener.connect()
        client.send("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 2\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        harness.run()
        let responses = ParsedResponse.all(client.received)
        #expect(responses.map(\.status) == [400] && responses[0].fields["connection"] == "close" && client.closed)
        #expect(harness.server.responder.seen.isEmpty)
    }

    @Test func theTotalInputBudgetHoldsAcrossConnections() {
        var limits = HTTPLimits()
        limits.maximumBufferedInput = 64 * 1024
        limits.maximumBodyBytes = 1 << 20
        let harness = Harness(limits: limits)
        let clients = (0..<16).map { _ in harness.listener.connect() }
        for client in clients {
            client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 500000\r\n\r\n" + String(repeating: "x", count: 100_000))
        }
        for _ in 0..<20 {
            harness.run(1)
            #expect(harness.server.bufferedInputBytes <= limits.maximumBufferedInput + 64 * 1024)
        }
        #expect(harness.server.counters.throttledReads > 0)
        let refused = clients.filter { ParsedResponse.all($0.received).first?.status == 503 }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.closed }, "requests that would exceed the budget are refused, not starved")
    }

    @Test func expectContinueWithTheBodyAlreadyThereGetsNoInterimResponse() {
        let harness = Harness()
        let client = harness.listener.connect()
        client.send("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\ndata")
        harness.run()
        #expect(ParsedResponse.all(client.received).map(\.status) == [200])
    }

    @Test func aPipelinedRequestsDeadlineStartsWithItsOwnFirstByte() {
        var limits = HTTPLimits()
        limits.headerTimeout = 10_000
        limits.bodyTimeout = 20_000
        let harness = Harness(limits: limits)
        let client = harness.listener.connect()
        client.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        harness.run(1, step: 14_000)
        client.send("1\r\na\r\n")
        harness.run(1, step: 14_000)
        client.send("0\r\n\r\nGET / HTTP/1.1\r\n")   // the next request's first bytes, 28 s in
        harness.run(1, step: 50)
        client.send("Host: h\r\n\r\n")
        harness.run(3)
        #expect(ParsedResponse.all(client.received).map(\.status) == [200, 200])
    }

    @Test func aBodyDrippedJustFastEnoughStillEndsAtTheRequestTimeout() {
        var limits = HTTPLimits()
        limits.bodyTimeout = 10_000
        limits.requestTimeout = 60_000
        let harness = Harness(limits: limits)
        let client = harness.listener.connect()
        client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n")
        for _ in 0..<8 {
            client.send("x")
            harness.run(1, step: 9_000)
        }
        #expect(ParsedResponse.all(client.received).first?.status == 408 && client.closed)
    }

    @Test func everyFinalResponseSaysWhetherTheConnectionCloses() {
        let harness = Harness()
        let client = harness.listener.connect()
        client.send("GET /nocontent HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        harness.run()
        #expect(client.receivedText.contains("Connection: close\r\n") && client.closed)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() {
        let harness = Harness()
        let client = harness.listener.connect()
        client.send((0..<20).map { "GET /bytes/\($0) HTTP/1.1\r\nHost: h\r\n\r\n" }.joined())
        harness.run(50)
        #expect(ParsedResponse.all(client.received).map(\.body.count) == Array(0..<20))
    }
}

import Testing
@testable import Net

@Suite("Two stacks on an in-memory link")
struct StackTests {
    /// Opens a connection from a to b's port 80 and accepts it.
    /// Sends `data` from one end and collects it at the other, polling both stacks.
    func transfer(_ data: [UInt8], from sender: TCPStream, to receiver: TCPStream, _ hosts: TwoHosts, rounds: Int = 20_000) -> [UInt8] {
        var offset = 0
        var received: [UInt8] = []
        for _ in 0..<rounds where received.count < data.count {
            if offset < data.count { offset += sender.tryWrite(data[offset...]) }
            if let bytes = receiver.tryRead(maximum: 100_000) { received += bytes }
            hosts.run(1)
        }
        return received
    }

    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) } }

    @Test func arpThenHandshakeThenDataBothWaysThenClose() throws {
        let hosts = TwoHosts()
        let (client, server) = try #require(hosts.connectedPair())
        #expect(client.state == .established && server.state == .established)
        #expect(hosts.a.arp.lookup(IPv4Address(10, 0, 0, 2), now: hosts.clock.now) == hosts.linkB.macAddress)
        let request = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        #expect(transfer(request, from: client, to: server, hosts) == request)
        let response = Self.pattern(100_000)   // more than both windows: flow control
        #expect(transfer(response, from: server, to: client, hosts) == response)
        client.close()
        hosts.run(10)
        #expect(server.tryRead() == nil, "the server sees the end of the stream")
        server.close()
        hosts.run(10)
        #expect(client.state == .timeWait)
        hosts.run(300)
        #expect(hosts.a.connectionCount == 0 && hosts.b.connectionCount == 0, "both ends freed their connections")
    }

    @Test func lossDuplicationAndReorderingStillDeliverEverythingInOrder() throws {
        let hosts = TwoHosts()
        let (client, server) = try #require(hosts.connectedPair())
        var generator = SplitMix(seed: 42)
        var held: [[UInt8]] = []
        let chaos: ([UInt8]) -> [[UInt8]] = { frame in
            let roll = generator.next() % 100
            if roll < 10 { return [] }                       // lost
            if roll < 15 { return [frame, frame] }           // duplicated
            if roll < 30 { held.append(frame); return [] }   // delayed: overtaken by later frames
            let late = held
            held = []
            return [frame] + late
        }
        hosts.linkA.filter = chaos
        hosts.linkB.filter = chaos
        let data = Self.pattern(60_000)
        let received = transfer(data, from: client, to: server, hosts, rounds: 200_000)
        #expect(received.count == data.count)
        #expect(received == data)
    }

    @Test func aClosedPortAnswersWithAReset() throws {
        let hosts = TwoHosts()
        #expect(TCPStream.connect(stack: hosts.a, address: IPv4Address(10, 0, 0, 2), port: 81) == nil)
        #expect(hosts.b.counters.noSocket >= 1)
        #expect(hosts.a.connectionCount == 0)
    }

    @Test func aSYNFloodCannotExceedTheBacklog() throws {
        let hosts = TwoHosts()
        _ = try #require(TCPListener(stack: hosts.b, port: 80, backlog: 4))
        hosts.a.arp.learn(IPv4Address(10, 0, 0, 2), hosts.linkB.macAddress, now: hosts.clock.now)
        // 100 SYNs from different ports that never complete the handshake.
        for port in 0..<100 {
            let syn = TCPSegment.build(source: IPv4Address(10, 0, 0, 1), sourcePort: UInt16(1000 + port), destination: IPv4Address(10, 0, 0, 2),
                                       destinationPort: 80, sequence: 1, acknowledgement: 0, flags: [.syn], window: 1000)
            hosts.a.send(ip: syn, to: IPv4Address(10, 0, 0, 2), protocolNumber: IPv4Packet.protocolTCP, now: hosts.clock.now)
        }
        hosts.b.poll(budget: 1000)
        #expect(hosts.b.connectionCount == 4)
        #expect(hosts.b.counters.halfOpenEvicted == 96, "each new SYN took the place of the oldest half-open one")
        // Half-open connections give up after their SYN-ACK retransmissions.
        for _ in 0..<200 { hosts.b.poll(); hosts.clock.now += 1000 }
        #expect(hosts.b.connectionCount == 0)
    }

    @Test func aResetPeerFreesTheSocket() throws {
        let hosts = TwoHosts()
        let (client, server) = try #require(hosts.connectedPair())
        client.abort()
        hosts.run(5)
        #expect(server.state == .reset)
        #expect(server.read() == [])
        server.close()
        hosts.run(2)
        #expect(hosts.b.connectionCount == 0 && hosts.a.connectionCount == 0)
    }

    @Test func pingAndUDPEcho() throws {
        let hosts = TwoHosts()
        let socket = try #require(UDPSocket(stack: hosts.b, port: 7))
        let sender = try #require(UDPSocket(stack: hosts.a, port: 5000))
        sender.send(Array("echo me".utf8), to: IPv4Address(10, 0, 0, 2), port: 7)
        hosts.run(5)
        let datagram = try #require(socket.tryReceive())
        #expect(datagram.from == IPv4Address(10, 0, 0, 1) && datagram.port == 5000 && datagram.data == Array("echo me".utf8))
        var request: [UInt8] = [8, 0, 0, 0, 0, 1, 0, 1] + Array("abc".utf8)
        request.setU16(InternetChecksum.of(request, 0..<request.count), at: 2)
        hosts.a.send(ip: request, to: IPv4Address(10, 0, 0, 2), protocolNumber: IPv4Packet.protocolICMP, now: hosts.clock.now)
        hosts.run(3)
        let replies = hosts.linkB.sent.compactMap { frame -> ICMPMessage? in
            guard let ip = try? IPv4Packet(parsing: frame, 14..<frame.count), ip.protocolNumber == 1 else { return nil }
            return try? ICMPMessage(parsing: ip.bytes, ip.payloadRange)
        }
        #expect(replies.contains { $0.type == ICMPMessage.echoReply })
    }

    @Test func malformedFramesAreCountedAndDropped() {
        let hosts = TwoHosts()
        hosts.linkB.inbox = [[1, 2, 3], Fixtures.arpRequest, Array(Fixtures.syn.prefix(30))]
        var badChecksum = Fixtures.syn
        badChecksum[40] ^= 0xFF
        hosts.linkB.inbox.append(badChecksum)
        hosts.b.poll()
        #expect(hosts.b.counters.malformed >= 1)
        #expect(hosts.b.counters.notForUs >= 1)   // the fixtures are addressed to other MACs
        #expect(hosts.b.counters.framesReceived == 4)
    }
}

/// A small deterministic generator for reproducible chaos.
struct SplitMix {
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

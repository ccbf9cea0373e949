import Testing
@testable import Net

/// Issue 13's behaviours on the in-memory link with a virtual clock (1 ms per round): parallel
/// flows through a small transmit ring, segments lost in the middle of a window and at its
/// tail, thousands of connections reset at once, a thousand orphaned connections.
@Suite("TCP loss recovery and scale")
struct LossRecoveryTests {
    static let server = IPv4Address(10, 0, 0, 2)

    /// A download: the client's stream, what it has read, whether it saw the end.
    final class Download {
        let client: TCPStream
        var received = 0
        var ended = false
        init(client: TCPStream) { self.client = client }

        func read() {
            while let bytes = client.tryRead(maximum: 65536), !bytes.isEmpty { received += bytes.count }
            if client.tryRead() == nil { ended = true }
        }
    }

    /// A server that answers every connection on `listener` with `size` bytes and closes.
    final class Responder {
        let listener: TCPListener
        let body: [UInt8]
        var streams: [(stream: TCPStream, offset: Int, closed: Bool)] = []
        init(listener: TCPListener, size: Int) {
            self.listener = listener
            body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        }

        func step() {
            while let stream = listener.tryAccept() { streams.append((stream, 0, false)) }
            for index in streams.indices where !streams[index].closed {
                let (stream, offset, _) = streams[index]
                if offset < body.count { streams[index].offset += stream.tryWrite(body[offset...]) }
                if streams[index].offset == body.count { stream.close(); streams[index].closed = true }
            }
        }
    }

    /// Runs both hosts a round at a time (1 ms each) until `done`; returns the rounds taken,
    /// or nil if `limit` passed first.
    func drive(_ hosts: TwoHosts, limit: Int, _ step: () -> Void, until done: () -> Bool) -> Int? {
        for round in 0..<limit {
            step()
            if done() { return round }
            hosts.a.poll()
            hosts.b.poll()
            hosts.clock.now += 1
        }
        return nil
    }

    /// The TCP segment in an Ethernet frame, if it carries one.
    static func segment(in frame: [UInt8]) -> TCPSegment? {
        guard let ethernet = try? EthernetFrame(parsing: frame), ethernet.etherType == EthernetFrame.typeIPv4,
              let ip = try? IPv4Packet(parsing: frame, ethernet.payloadRange), ip.protocolNumber == IPv4Packet.protocolTCP else { return nil }
        return try? TCPSegment(parsing: frame, ip.payloadRange, source: ip.source, destination: ip.destination)
    }

    /// Thirty clients download 100 KB at once through a server whose transmit ring holds 32
    /// frames. Each flow's bursts used to overrun the ring; the lost segments waited for
    /// retransmission timeouts that backed off to tens of seconds. Now the ring's room is the
    /// stack's back-pressure: nothing is refused and nothing times out.
    @Test func thirtyParallelDownloadsThroughASmallRingFinishWithoutATimeout() throws {
        let hosts = TwoHosts()
        hosts.linkB.ring = 32
        let responder = Responder(listener: try #require(TCPListener(stack: hosts.b, port: 80, backlog: 64)), size: 100_000)
        var downloads: [Download] = []
        for _ in 0..<30 { downloads.append(Download(client: try #require(TCPStream.connect(stack: hosts.a, address: Self.server, port: 80)))) }
        let rounds = drive(hosts, limit: 60_000, { responder.step(); downloads.forEach { $0.read() } },
                           until: { downloads.allSatisfy { $0.ended } })
        let taken = try #require(rounds, "every download ended within 60 virtual seconds")
        #expect(downloads.allSatisfy { $0.received == 100_000 })
        #expect(hosts.linkB.refused == 0 && hosts.b.counters.transmitDropped == 0, "the ring was never overrun")
        #expect(hosts.b.counters.retransmissionTimeouts == 0)
        // 3 MB through 32 frames per millisecond-round needs about 70 rounds; allow for slow start.
        #expect(taken < 1_000, "finished in \(taken) ms of virtual time")
    }

    /// Three segments lost in the middle of a window: the client's SACK blocks name the
    /// holes, and the server retransmits exactly those in one recovery, with no timeout and no
    /// going back over what arrived.
    @Test func segmentsLostInAWindowAreRepairedBySACKWithoutATimeout() throws {
        let hosts = TwoHosts()
        var dropped: Set<UInt32> = []
        var firstSequence: UInt32? = nil
        hosts.linkB.filter = { frame in
            guard let tcp = Self.segment(in: frame), tcp.payloadLength > 0 else { return [frame] }
            let start = firstSequence ?? tcp.sequenceNumber
            firstSequence = start
            let index = Int(tcp.sequenceNumber &- start) / 1460
            if [6, 8, 11].contains(index) && dropped.insert(tcp.sequenceNumber).inserted { return [] }
            return [frame]
        }
        let responder = Responder(listener: try #require(TCPListener(stack: hosts.b, port: 80)), size: 200_000)
        let download = Download(client: try #require(TCPStream.connect(stack: hosts.a, address: Self.server, port: 80)))
        let rounds = drive(hosts, limit: 30_000, { responder.step(); download.read() }, until: { download.ended })
        #expect(rounds != nil && download.received == 200_000)
        #expect(dropped.count == 3)
        let server = try #require(responder.streams.first?.stream)
        #expect(server.connection.tcp.sackPermitted, "SACK was negotiated")
        #expect(hosts.b.counters.fastRetransmits == 1 && hosts.b.counters.retransmissionTimeouts == 0)
        let dataSegments = hosts.linkB.sent.compactMap(Self.segment).filter { $0.payloadLength > 0 }.count
        let needed = (200_000 + 1459) / 1460
        #expect(dataSegments <= needed + 3 + 2, "\(dataSegments) data segments for \(needed): only the holes went again")
        // The client reported the holes with SACK blocks.
        #expect(hosts.linkA.sent.compactMap(Self.segment).contains { !$0.options.sackBlocks.isEmpty })
    }

    /// The last segment of a response is lost: no duplicate ACK can follow, so a tail loss
    /// probe sends it again instead of a retransmission timeout.
    @Test func aLostTailIsRecoveredByAProbeInsteadOfATimeout() throws {
        let hosts = TwoHosts()
        var droppedTail = false
        hosts.linkB.filter = { frame in
            if let tcp = Self.segment(in: frame), tcp.payloadLength > 0, tcp.flags.contains(.psh), !droppedTail {
                droppedTail = true
                return []
            }
            return [frame]
        }
        // A first exchange gives the server an RTT estimate, as a keep-alive connection has.
        let (client, server) = try #require(hosts.connectedPair())
        let download = Download(client: client)
        droppedTail = true
        _ = server.tryWrite(Array(repeating: 1, count: 3000)[...])
        _ = drive(hosts, limit: 200, { download.read() }, until: { download.received == 3000 })
        droppedTail = false
        _ = server.tryWrite(Array(repeating: 2, count: 20_000)[...])
        let start = hosts.clock.now
        let rounds = drive(hosts, limit: 10_000, { download.read() }, until: { download.received == 23_000 })
        #expect(rounds != nil && droppedTail)
        #expect(hosts.b.counters.tailLossProbes >= 1 && hosts.b.counters.retransmissionTimeouts == 0)
        #expect(hosts.clock.now - start < 400, "recovered \(hosts.clock.now - start) ms after the send")
    }

    /// Thousands of connections reset at once: each reset is handled once, and the stack
    /// polls only what changed, so the next client is served at once (every connection used
    /// to be polled on every round, 64 frames at a time).
    @Test func tenThousandResetsAtOnceCostOnePassAndTheNextClientIsServedAtOnce() throws {
        let hosts = TwoHosts()
        let count = 10_000
        hosts.b.limits.maximumConnections = count + 16
        let listener = try #require(TCPListener(stack: hosts.b, port: 80, backlog: 64))
        var clients: [TCPStream] = []
        var servers: [TCPStream] = []
        for _ in 0..<count {
            clients.append(try #require(TCPStream.connect(stack: hosts.a, address: Self.server, port: 80)))
            while let stream = listener.tryAccept() { servers.append(stream) }
        }
        hosts.run(3, step: 1)
        while let stream = listener.tryAccept() { servers.append(stream) }
        #expect(servers.count == count && hosts.b.connectionCount == count)
        // An idle round polls nothing.
        hosts.run(20, step: 1)
        let idleBefore = hosts.b.connectionPolls
        hosts.b.poll()
        #expect(hosts.b.connectionPolls == idleBefore)
        for client in clients { client.abort() }
        let before = hosts.b.connectionPolls
        // The server's application notices the resets and lets go, as an HTTP server does.
        var open = servers
        let next = Download(client: try #require(TCPStream.connect(stack: hosts.a, address: Self.server, port: 80)))
        let responder = Responder(listener: listener, size: 1000)
        let rounds = drive(hosts, limit: 2_000, {
            open.removeAll { stream in
                guard stream.tryRead() == nil else { return false }
                stream.close()
                return true
            }
            responder.step()
            next.read()
        }, until: { next.ended && open.isEmpty && hosts.b.connectionCount <= 2 })
        #expect(rounds != nil, "\(open.count) still open, \(hosts.b.connectionCount) connections")
        let work = hosts.b.connectionPolls - before
        #expect(work <= 4 * count, "\(work) connection polls for \(count) resets")
        #expect(hosts.b.bufferedBytes == hosts.b.recountedBufferedBytes)
    }

    /// A thousand connections the server closed and the peer never finished: after a minute
    /// (tcp_fin_timeout) every one is freed, with nothing left buffered.
    @Test func aThousandOrphanedConnectionsAreFreedAfterTheFinTimeout() throws {
        let hosts = TwoHosts()
        let responder = Responder(listener: try #require(TCPListener(stack: hosts.b, port: 80, backlog: 64)), size: 2000)
        var downloads: [Download] = []
        for _ in 0..<1000 {
            downloads.append(Download(client: try #require(TCPStream.connect(stack: hosts.a, address: Self.server, port: 80))))
            responder.step()
        }
        _ = drive(hosts, limit: 2_000, { responder.step(); downloads.forEach { $0.read() } }, until: { downloads.allSatisfy { $0.ended } })
        #expect(downloads.allSatisfy { $0.ended && $0.received == 2000 }, "every response arrived with its FIN")
        // Let the last ACKs through (each poll takes 64 frames).
        let finWait2 = drive(hosts, limit: 1_000, {}, until: { hosts.b.connectionStates.first { $0.state == .finWait2 }?.count == 1000 })
        #expect(finWait2 != nil, "the clients never close: all in FIN-WAIT-2")
        hosts.run(50, step: 1_000)
        #expect(hosts.b.connectionCount == 1000, "50 s: still waiting")
        hosts.run(15, step: 1_000)
        #expect(hosts.b.connectionCount == 0 && hosts.b.bufferedBytes == 0, "all freed after tcp_fin_timeout")
        #expect(hosts.b.timers.count <= 1000, "no timer entries pile up")
    }

    // MARK: One connection, segment by segment

    typealias In = TCPConnection.Incoming

    /// A passive connection in ESTABLISHED with SACK: peer ISS 1000 (MSS 1000), ours 5000.
    func established(window: UInt16 = 65535) -> TCPConnection {
        var tcp = TCPConnection(acceptingSYN: In(sequence: 1000, acknowledgement: 0, flags: [.syn], window: window, mss: 1000, sackPermitted: true), iss: 5000)
        _ = tcp.poll(now: 0)
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: window), now: 10)
        return tcp
    }

    /// After 4 GiB the acknowledgement is the ISS again; that must not be taken for "the SYN
    /// is unacknowledged" (it used to shift every segment by a byte, or trap on index -1).
    @Test func sequenceNumbersWrapAroundTheInitialSequenceNumber() {
        var tcp = established()
        tcp.sendUnacknowledged = tcp.initialSend   // as if 2^32 bytes had been sent and acknowledged
        tcp.sendNext = tcp.initialSend
        tcp.sendMaximum = tcp.initialSend
        _ = tcp.send(Array(0..<200).map { UInt8($0) }[...])
        let out = tcp.poll(now: 100)
        #expect(out.first?.sequence == tcp.initialSend && out.first?.payload.first == 0, "the first byte at the ISS")
        tcp.handle(In(sequence: 1001, acknowledgement: tcp.initialSend &+ 100, flags: [.ack], window: 65535), now: 110)
        #expect(tcp.sendBuffer.first == 100, "exactly 100 bytes acknowledged")
    }

    /// With no room in the ring a connection whose RTO is due sends nothing and loses
    /// nothing: the timeout fires when there is room (it used to go back, send nothing, and
    /// forget its timer).
    @Test func aTimeoutWithNoRoomToSendWaitsForRoom() {
        var tcp = established()
        _ = tcp.send(Array(repeating: 1, count: 3000)[...])
        _ = tcp.poll(now: 100)
        #expect(tcp.poll(now: 100 + 5_000, segmentBudget: 0).isEmpty)
        #expect(tcp.nextDeadline != nil, "still has its timer")
        let resent = tcp.poll(now: 100 + 5_001, segmentBudget: 8)
        #expect(resent.first?.sequence == 5001 && tcp.timeouts == 1)
    }

    /// Data segments that carry SACK blocks carry that much less data (RFC 6691), so they
    /// still fit the path's MTU.
    @Test func sackBlocksTakeTheirRoomFromThePayload() {
        var tcp = established()
        tcp.handle(In(sequence: 1101, acknowledgement: 5001, flags: [.ack], window: 65535, payload: Array(repeating: 9, count: 50)), now: 20)
        _ = tcp.send(Array(repeating: 1, count: 5000)[...])
        let out = tcp.poll(now: 30)
        let data = out.filter { !$0.payload.isEmpty }
        #expect(!data.isEmpty && data.allSatisfy { $0.sackBlocks.count == 1 && $0.payload.count <= 1000 - 12 })
        #expect(data.first?.sackBlocks.first == TCPOptions.SACKBlock(left: 1101, right: 1151))
        #expect(data.allSatisfy { TCPOptions(maximumSegmentSize: nil, sackBlocks: $0.sackBlocks).encoded.count + $0.payload.count <= 1000 })
    }

    /// A response whose last data segment is lost, followed by the FIN: the probe sends that
    /// segment again with the FIN, and no timeout is needed.
    @Test func aLostLastSegmentBeforeTheFinIsProbedWithTheFin() throws {
        let hosts = TwoHosts()
        var dropNextPSH = false
        hosts.linkB.filter = { frame in
            if dropNextPSH, let tcp = Self.segment(in: frame), tcp.payloadLength > 0, tcp.flags.contains(.psh) { dropNextPSH = false; return [] }
            return [frame]
        }
        let (client, server) = try #require(hosts.connectedPair())
        let download = Download(client: client)
        _ = server.tryWrite(Array(repeating: 3, count: 3000)[...])   // an RTT estimate first
        _ = drive(hosts, limit: 200, { download.read() }, until: { download.received == 3000 })
        dropNextPSH = true
        _ = server.tryWrite(Array(repeating: 4, count: 10_000)[...])
        server.close()
        let start = hosts.clock.now
        let rounds = drive(hosts, limit: 10_000, { download.read() }, until: { download.ended })
        #expect(rounds != nil && download.received == 13_000 && !dropNextPSH)
        #expect(hosts.b.counters.retransmissionTimeouts == 0 && hosts.b.counters.tailLossProbes >= 1)
        #expect(hosts.clock.now - start < 400, "ended \(hosts.clock.now - start) ms after the send")
    }
}

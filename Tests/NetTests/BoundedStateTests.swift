import Testing
@testable import Net

/// Every TCP state ends on its own and everything peers make the stack hold is bounded: the
/// tests drive both stacks on the in-memory link with a virtual clock.
@Suite("Bounded TCP state")
struct BoundedStateTests {
    /// A SYN to b's port 80 from 10.0.0.1:`port`, sent raw by host a (which will not answer
    /// b's SYN-ACK with anything but a reset, like a spoofed source).
    func spoofSYN(_ hosts: TwoHosts, from port: UInt16) {
        let syn = TCPSegment.build(source: IPv4Address(10, 0, 0, 1), sourcePort: port, destination: IPv4Address(10, 0, 0, 2),
                                   destinationPort: 80, sequence: 77, acknowledgement: 0, flags: [.syn], window: 1000)
        hosts.a.send(ip: syn, to: IPv4Address(10, 0, 0, 2), protocolNumber: IPv4Packet.protocolTCP, now: hosts.clock.now)
    }

    @Test func anOrphanedFinWait2EndsAfterTheFinTimeout() throws {
        let hosts = TwoHosts()
        let (client, server) = try #require(hosts.connectedPair())
        server.close()   // the server is done; the client never closes its side
        hosts.run(20)
        #expect(server.state == .finWait2 && client.state == .closeWait)
        hosts.run(50, step: 1_000)   // 50 s: still waiting
        #expect(hosts.b.connectionCount == 1)
        hosts.run(15, step: 1_000)
        #expect(hosts.b.connectionCount == 0, "freed after tcp_fin_timeout")
        #expect(client.state == .reset, "and the peer was told")
    }

    /// `NetworkLimits.finTimeout` is the stack's `tcp_fin_timeout`: an orphan lasts that long.
    @Test func theFinTimeoutIsTheStacksToSet() throws {
        let hosts = TwoHosts()
        hosts.b.limits.finTimeout = 10_000
        let (client, server) = try #require(hosts.connectedPair())
        server.close()
        hosts.run(20)
        #expect(server.state == .finWait2)
        hosts.run(8, step: 1_000)
        #expect(hosts.b.connectionCount == 1, "8 s of 10: still waiting")
        hosts.run(4, step: 1_000)
        #expect(hosts.b.connectionCount == 0 && client.state == .reset, "gone after its 10 s")
    }

    /// `NetworkLimits.synAckRetries` is the stack's `tcp_synack_retries`: a SYN nobody
    /// completes holds its slot for 1 + 2 + 4 s and the last back-off, 15 s with 3, not ~63.
    @Test func aHalfOpenConnectionGivesUpAfterTheSYNAckRetries() throws {
        let hosts = TwoHosts()
        hosts.b.limits.synAckRetries = 3
        _ = try #require(TCPListener(stack: hosts.b, port: 80, backlog: 8))
        hosts.a.arp.learn(IPv4Address(10, 0, 0, 2), hosts.linkB.macAddress, now: hosts.clock.now)
        hosts.b.arp.learn(IPv4Address(10, 0, 0, 1), hosts.linkA.macAddress, now: hosts.clock.now)
        hosts.linkB.filter = { _ in [] }   // the SYN-ACKs go nowhere
        spoofSYN(hosts, from: 2000)
        hosts.b.poll(budget: 100)
        #expect(hosts.b.connectionCount == 1)
        for _ in 0..<13 { hosts.clock.now += 1_000; hosts.b.poll() }
        #expect(hosts.b.connectionCount == 1, "13 s: the third retry's back-off still runs")
        for _ in 0..<4 { hosts.clock.now += 1_000; hosts.b.poll() }
        #expect(hosts.b.connectionCount == 0, "dropped after 3 retries")
    }

    /// TIME-WAIT used to be timed from 0, so on a clock past 2 s it ended at once.
    @Test func timeWaitLastsItsTimeHoweverLateTheClock() throws {
        let hosts = TwoHosts()
        hosts.clock.now = 50_000_000
        let (client, server) = try #require(hosts.connectedPair())
        client.close()
        hosts.run(5)
        server.close()
        hosts.run(5)
        #expect(client.state == .timeWait)
        hosts.run(10, step: 100)
        #expect(client.state == .timeWait, "1 s later it is still waiting")
        hosts.run(20, step: 100)
        #expect(hosts.a.connectionCount == 0, "and gone after its 2 s")
    }

    /// A server that answers and closes while the client is still sending (an error response
    /// to a huge request) holds none of that input, and the client still sees a clean end.
    @Test func aClosedConnectionAcknowledgesAndDiscardsWhatStillArrives() throws {
        let hosts = TwoHosts()
        let (client, server) = try #require(hosts.connectedPair())
        let data = [UInt8](repeating: 1, count: 300_000)
        var offset = client.tryWrite(data[...])
        hosts.run(20)
        #expect(hosts.b.bufferedBytes > 0, "unread input is buffered while the server is open")
        server.close()
        var sawEnd = false
        for _ in 0..<3000 where offset < data.count || !sawEnd {
            if offset < data.count { offset += client.tryWrite(data[offset...]) }
            if client.tryRead() == nil { sawEnd = true }
            hosts.run(1)
            #expect(hosts.b.bufferedBytes <= 1460, "a closed connection buffers no input")
        }
        #expect(offset == data.count && sawEnd, "every byte was taken and acknowledged, and the FIN arrived")
        hosts.run(50)
        #expect(client.connection.tcp.allAcknowledged)
    }

    /// A reader that stops for 90 s (its window closed) and then reads again gets everything:
    /// answered zero-window probes are not failed retransmissions.
    @Test func aReaderThatPausesForNinetySecondsThenResumesGetsEverything() throws {
        let hosts = TwoHosts()
        let (client, server) = try #require(hosts.connectedPair())
        let data = (0..<400_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var offset = 0
        var received: [UInt8] = []
        for _ in 0..<200 {
            offset += server.tryWrite(data[offset...])
            hosts.run(1)
        }
        #expect(received.isEmpty && offset < data.count, "the client has not read: the window is closed")
        hosts.run(900, step: 100)   // 90 s of not reading
        #expect(server.state == .established, "the server kept probing")
        for _ in 0..<20_000 where received.count < data.count {
            offset += server.tryWrite(data[offset...])
            received += client.tryRead(maximum: 100_000) ?? []
            hosts.run(1)
        }
        #expect(received.count == data.count && received == data)
    }

    /// When the heap says memory is low, the stack takes no new data or connections, and
    /// resumes when memory is back: a flood degrades service instead of ending it.
    @Test func lowMemoryStopsNewDataAndConnectionsUntilItIsBack() throws {
        let hosts = TwoHosts()
        let headroom = Headroom()
        hosts.b.memoryHeadroom = { headroom.bytes }
        let (client, server) = try #require(hosts.connectedPair())
        headroom.bytes = 1 << 20   // below the 4 MiB reserve
        let data = [UInt8](repeating: 9, count: 20_000)
        var offset = 0
        for _ in 0..<200 {
            offset += client.tryWrite(data[offset...])
            hosts.run(1)
        }
        #expect(hosts.b.bufferedBytes == 0 && hosts.b.counters.memoryPressure > 0, "nothing was buffered")
        #expect(server.tryWrite([1, 2, 3][...]) == 0, "and nothing can be written")
        let listener = try #require(TCPListener(stack: hosts.b, port: 81))
        let pressureBefore = hosts.b.counters.memoryPressure
        let syn = TCPSegment.build(source: IPv4Address(10, 0, 0, 1), sourcePort: 4000, destination: IPv4Address(10, 0, 0, 2),
                                   destinationPort: 81, sequence: 1, acknowledgement: 0, flags: [.syn], window: 1000)
        hosts.a.send(ip: syn, to: IPv4Address(10, 0, 0, 2), protocolNumber: IPv4Packet.protocolTCP, now: hosts.clock.now)
        hosts.run(3)
        #expect(hosts.b.connectionCount == 1 && hosts.b.counters.memoryPressure > pressureBefore, "no new connection while memory is low")
        _ = listener
        headroom.bytes = 64 << 20
        var received: [UInt8] = []
        for _ in 0..<5000 where received.count < data.count {
            offset += client.tryWrite(data[offset...])
            received += server.tryRead(maximum: 100_000) ?? []
            hosts.run(1)
        }
        #expect(received.count == data.count && received.allSatisfy { $0 == 9 }, "everything arrived once memory was back")
    }

    @Test func tinySegmentsInTheWindowsGapsCannotGrowTheOutOfOrderQueue() {
        var connection = TCPConnection(acceptingSYN: .init(sequence: 1000, acknowledgement: 0, flags: [.syn], window: 65535), iss: 5000)
        _ = connection.poll(now: 0)
        connection.handle(.init(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 65535), now: 1)
        #expect(connection.state == .established)
        // 1,000 one-byte segments, each after a gap: none is in order.
        for index in 0..<1000 {
            connection.handle(.init(sequence: 1001 &+ UInt32(2 + 2 * index), acknowledgement: 5001, flags: [.ack], window: 65535, payload: [1]), now: 2)
        }
        #expect(connection.outOfOrder.count == TCPConnection.maximumOutOfOrderSegments)
        #expect(connection.outOfOrderDropped == 1000 - TCPConnection.maximumOutOfOrderSegments)
        #expect(connection.bufferedBytes == TCPConnection.maximumOutOfOrderSegments)
    }

    @Test func aSYNFloodLeavesRoomForARealClient() throws {
        let hosts = TwoHosts()
        let listener = try #require(TCPListener(stack: hosts.b, port: 80, backlog: 8))
        hosts.a.arp.learn(IPv4Address(10, 0, 0, 2), hosts.linkB.macAddress, now: hosts.clock.now)
        hosts.b.arp.learn(IPv4Address(10, 0, 0, 1), hosts.linkA.macAddress, now: hosts.clock.now)
        // The peer answers nothing while the flood lasts: its SYN-ACKs are lost.
        hosts.linkB.filter = { _ in [] }
        for port in 0..<500 { spoofSYN(hosts, from: UInt16(2000 + port)) }
        hosts.b.poll(budget: 1000)
        #expect(hosts.b.connectionCount == 8 && hosts.b.counters.halfOpenEvicted == 492)
        hosts.linkB.filter = { [$0] }
        // A real client, the moment after the flood: it completes its handshake.
        let client = try #require(TCPStream.connect(stack: hosts.a, address: IPv4Address(10, 0, 0, 2), port: 80))
        hosts.run(5)
        #expect(client.state == .established && listener.tryAccept() != nil)
    }

    @Test func aFullConnectionTableGivesUpTimeWaitNotLiveConnections() throws {
        let hosts = TwoHosts()
        hosts.a.limits.maximumConnections = 4
        let listener = try #require(TCPListener(stack: hosts.a, port: 80, backlog: 16))
        var servers: [TCPStream] = []
        var clients: [TCPStream] = []
        for _ in 0..<4 {
            clients.append(try #require(TCPStream.connect(stack: hosts.b, address: IPv4Address(10, 0, 0, 1), port: 80)))
            hosts.run(3)
            servers.append(try #require(listener.tryAccept()))
        }
        #expect(hosts.a.connectionCount == 4)
        // A fifth is refused: every entry is a live connection.
        #expect(TCPStream.connect(stack: hosts.b, address: IPv4Address(10, 0, 0, 1), port: 80) == nil)
        #expect(hosts.a.counters.connectionLimit > 0)
        #expect(servers.allSatisfy { $0.state == .established }, "no live connection was given up")
        // The server closes one first, so its side ends in TIME-WAIT; the next SYN takes its place.
        servers[0].close()
        hosts.run(5)
        clients[0].close()
        hosts.run(5)
        #expect(servers[0].state == .timeWait && hosts.a.connectionCount == 4)
        let late = TCPStream.connect(stack: hosts.b, address: IPv4Address(10, 0, 0, 1), port: 80)
        #expect(late != nil && hosts.a.connectionCount == 4 && hosts.a.counters.timeWaitEvicted == 1)
    }

    @Test func theBufferBudgetHoldsWhenTheApplicationDoesNotRead() throws {
        let hosts = TwoHosts()
        hosts.b.limits.bufferBudget = 100_000
        let listener = try #require(TCPListener(stack: hosts.b, port: 80, backlog: 16))
        var clients: [TCPStream] = []
        for _ in 0..<6 {
            clients.append(try #require(TCPStream.connect(stack: hosts.a, address: IPv4Address(10, 0, 0, 2), port: 80)))
        }
        hosts.run(5)
        var servers: [TCPStream] = []
        while let server = listener.tryAccept() { servers.append(server) }
        #expect(servers.count == 6)
        let data = [UInt8](repeating: 7, count: 60_000)
        var offsets = [Int](repeating: 0, count: clients.count)
        for _ in 0..<3000 {
            for (index, client) in clients.enumerated() where offsets[index] < data.count {
                offsets[index] += client.tryWrite(data[offsets[index]...])
            }
            hosts.run(1)
            #expect(hosts.b.bufferedBytes <= hosts.b.limits.bufferBudget + 64 * 1460)
        }
        #expect(hosts.b.counters.memoryPressure > 0, "data past the budget was dropped, unacknowledged")
        // Once the application reads, every byte arrives.
        var received = [Int](repeating: 0, count: servers.count)
        for _ in 0..<20_000 where received.reduce(0, +) < 6 * data.count {
            for (index, server) in servers.enumerated() { received[index] += server.tryRead(maximum: 100_000)?.count ?? 0 }
            for (index, client) in clients.enumerated() where offsets[index] < data.count {
                offsets[index] += client.tryWrite(data[offsets[index]...])
            }
            hosts.run(1)
        }
        #expect(received == [Int](repeating: data.count, count: 6))
    }
}

final class Headroom {
    var bytes = 64 << 20
}

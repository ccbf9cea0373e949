import Testing
import LinuxABI
import Net
import HostDoubles

/// Sockets through the system calls towards another host: the process's stack (10.0.0.1) and a
/// peer's (10.0.0.2, driven through Net's API) on one in-memory link. What Linux answers over
/// a real connection — accept, non-blocking connect and `SO_ERROR`, a refusal, a reset, the
/// end of the stream, half-close, UDP — and `EPOLLET` edges for bytes that arrive again.
/// (Tests/ImageTests/Programs/netserver.c compares a whole server with the host's Linux.)
@Suite("Sockets over the network card")
struct SocketOverNetworkTests {
    typealias N = SystemCallNumber

    typealias Wire = InMemoryWire

    final class Clock { var now: UInt64 = 1_000 }

    /// The process with a network, and the peer's stack.
    struct Setup {
        let h = LinuxProcessTests.Harness()
        let clock = Clock()
        let mine: NetworkStack
        let peer: NetworkStack
        let wires = (Wire(1), Wire(2))

        init() {
            wires.0.peer = wires.1
            wires.1.peer = wires.0
            let clock = self.clock
            mine = NetworkStack(device: wires.0, configuration: InterfaceConfiguration(address: IPv4Address(10, 0, 0, 1), prefixLength: 24, gateway: nil),
                                clock: { clock.now }, idle: { clock.now += 1 })
            peer = NetworkStack(device: wires.1, configuration: InterfaceConfiguration(address: IPv4Address(10, 0, 0, 2), prefixLength: 24, gateway: nil),
                                clock: { clock.now }, idle: { clock.now += 1 })
            h.process.network = mine
        }

        /// Moves frames both ways for a while (the mechanism's network thread, and the peer).
        func pump(_ rounds: Int = 20) {
            for _ in 0..<rounds {
                mine.poll()
                peer.poll()
                clock.now += 1
            }
        }

        func call(_ number: N, _ arguments: UInt64...) -> Int64 { h.process.handle(number.rawValue, arguments, memory: h.memory) }

        /// `poll` of one descriptor: its revents.
        func revents(_ descriptor: Int64) -> UInt32 {
            _ = h.memory.write(0x10_0600, [UInt8(descriptor), 0, 0, 0, 0xFF, 0x3F, 0, 0])   // events: everything
            _ = call(.poll, 0x10_0600, 1, 0)
            let bytes = h.memory.read(0x10_0606, count: 2)!
            return UInt32(bytes[0]) | UInt32(bytes[1]) << 8
        }

        func address(_ host: UInt32, _ port: UInt16, at buffer: UInt64 = 0x10_0200) -> UInt64 {
            _ = h.memory.write(buffer, SocketAddress.inet(address: host, port: port).bytes)
            return buffer
        }
    }

    static let peerAddress: UInt32 = 0x0A00_0002

    @Test func aServerAcceptsReadsWritesAndSeesTheEndOfTheStream() throws {
        let s = Setup()
        let listener = s.call(.socket, 2, 1 | 0o4000, 0)
        #expect(s.call(.bind, UInt64(listener), s.address(0, 80), 16) == 0)
        #expect(s.call(.listen, UInt64(listener), 16) == 0)
        #expect(s.call(.accept4, UInt64(listener), 0, 0, 0) == LinuxError.tryAgain.returnValue)
        let client = try #require(TCPStream.open(stack: s.peer, address: IPv4Address(10, 0, 0, 1), port: 80))
        s.pump()
        #expect(s.revents(listener) & EventPoll.input != 0)
        _ = s.h.memory.write(0x10_0300, [16, 0, 0, 0])
        let connection = s.call(.accept4, UInt64(listener), 0x10_0240, 0x10_0300, 0o4000)
        #expect(connection > 0)
        #expect(s.h.memory.read(0x10_0244, count: 4) == [10, 0, 0, 2])   // the peer's address
        #expect(s.call(.read, UInt64(connection), 0x10_0400, 100) == LinuxError.tryAgain.returnValue)
        #expect(client.tryWrite(Array("GET / HTTP/1.0\r\n\r\n".utf8)[...]) == 18)
        s.pump()
        #expect(s.revents(connection) & EventPoll.input != 0)
        _ = s.h.memory.write(0x10_0300, [4, 0, 0, 0])
        #expect(s.call(.ioctl, UInt64(connection), 0x541B, 0x10_0300) == 0)   // FIONREAD
        #expect(s.h.memory.read(0x10_0300, count: 4) == [18, 0, 0, 0])
        #expect(s.call(.read, UInt64(connection), 0x10_0400, 100) == 18)
        #expect(s.h.memory.read(0x10_0400, count: 3) == Array("GET".utf8))
        // 200,000 bytes, more than the send buffer holds: EAGAIN until the peer acknowledges.
        let piece = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        _ = s.h.memory.write(0x10_8000, piece)
        let answer = Array((0..<10).map { _ in piece }.joined())
        var sent = 0, blocked = 0
        var received: [UInt8] = []
        while received.count < answer.count {
            while sent < answer.count {   // write until it would block
                let offset = sent % piece.count
                let result = s.call(.write, UInt64(connection), 0x10_8000 + UInt64(offset), UInt64(min(piece.count - offset, answer.count - sent)))
                if result > 0 { sent += Int(result); continue }
                #expect(result == LinuxError.tryAgain.returnValue, "write: \(result) after \(sent)")
                #expect(s.revents(connection) & EventPoll.output == 0)
                blocked += 1
                break
            }
            s.pump(4)
            while let bytes = client.tryRead(maximum: 65536), !bytes.isEmpty { received += bytes }
        }
        #expect(blocked > 0)
        #expect(received == answer)
        client.close()
        s.pump()
        #expect(s.revents(connection) & (EventPoll.input | EventPoll.readHangUp) == EventPoll.input | EventPoll.readHangUp)
        #expect(s.call(.read, UInt64(connection), 0x10_0400, 100) == 0)
        #expect(s.call(.close, UInt64(connection)) == 0)
        s.pump(200)
        #expect(s.mine.connectionCount == 0 || s.mine.connectionStates.allSatisfy { $0.state == .timeWait })
    }

    @Test func aNonBlockingConnectAnswersInProgressThenSOERROR() throws {
        let s = Setup()
        let listener = try #require(TCPListener(stack: s.peer, port: 7000))
        let socket = s.call(.socket, 2, 1 | 0o4000, 0)
        #expect(s.call(.connect, UInt64(socket), s.address(Self.peerAddress, 7000), 16) == LinuxError.inProgress.returnValue)
        #expect(s.revents(socket) & EventPoll.output == 0)
        #expect(s.call(.connect, UInt64(socket), s.address(Self.peerAddress, 7000), 16) == LinuxError.alreadyInProgress.returnValue)
        s.pump()
        #expect(s.revents(socket) & EventPoll.output != 0)
        _ = s.h.memory.write(0x10_0300, [4, 0, 0, 0])
        #expect(s.call(.getsockopt, UInt64(socket), 1, 4, 0x10_0310, 0x10_0300) == 0)
        #expect(s.h.memory.read(0x10_0310, count: 4) == [0, 0, 0, 0])
        #expect(s.call(.connect, UInt64(socket), s.address(Self.peerAddress, 7000), 16) == LinuxError.alreadyConnected.returnValue)
        _ = s.h.memory.write(0x10_0400, Array("ping".utf8))
        #expect(s.call(.write, UInt64(socket), 0x10_0400, 4) == 4)
        s.pump()
        let accepted = try #require(listener.tryAccept())
        #expect(accepted.tryRead() == Array("ping".utf8))
        _ = s.h.memory.write(0x10_0300, [16, 0, 0, 0])
        #expect(s.call(.getpeername, UInt64(socket), 0x10_0240, 0x10_0300) == 0)
        #expect(s.h.memory.read(0x10_0240, count: 8) == [2, 0, 0x1B, 0x58, 10, 0, 0, 2])
        // shutdown(SHUT_WR): the peer reads the end; this side still reads, and writes EPIPE.
        #expect(s.call(.shutdown, UInt64(socket), 1) == 0)
        s.pump()
        #expect(accepted.tryRead() == nil)
        #expect(accepted.tryWrite(Array("pong".utf8)[...]) == 4)
        s.pump()
        #expect(s.call(.read, UInt64(socket), 0x10_0400, 10) == 4)
        #expect(s.call(.sendto, UInt64(socket), 0x10_0400, 1, 0x4000, 0, 0) == LinuxError.brokenPipe.returnValue)
        #expect(s.revents(socket) & EventPoll.output != 0)   // Linux: a shut sending side polls writable
    }

    @Test func aRefusedConnectionAndAResetAreLinuxsErrors() throws {
        let s = Setup()
        let socket = s.call(.socket, 2, 1 | 0o4000, 0)
        #expect(s.call(.connect, UInt64(socket), s.address(Self.peerAddress, 9), 16) == LinuxError.inProgress.returnValue)
        s.pump()
        #expect(s.revents(socket) & (EventPoll.output | EventPoll.error | EventPoll.hangUp) == EventPoll.output | EventPoll.error | EventPoll.hangUp)
        _ = s.h.memory.write(0x10_0300, [4, 0, 0, 0])
        #expect(s.call(.getsockopt, UInt64(socket), 1, 4, 0x10_0310, 0x10_0300) == 0)
        #expect(s.h.memory.read(0x10_0310, count: 4) == [UInt8(LinuxError.connectionRefused.rawValue), 0, 0, 0])
        #expect(s.call(.read, UInt64(socket), 0x10_0400, 10) == LinuxError.notConnected.returnValue)
        // A connection the peer resets: ECONNRESET once, then the end of the stream; writes EPIPE.
        let listener = try #require(TCPListener(stack: s.peer, port: 7001))
        let other = s.call(.socket, 2, 1 | 0o4000, 0)
        #expect(s.call(.connect, UInt64(other), s.address(Self.peerAddress, 7001), 16) == LinuxError.inProgress.returnValue)
        s.pump()
        let accepted = try #require(listener.tryAccept())
        accepted.abort()
        s.pump()
        #expect(s.revents(other) & EventPoll.error != 0)
        #expect(s.call(.read, UInt64(other), 0x10_0400, 10) == LinuxError.connectionReset.returnValue)
        #expect(s.call(.read, UInt64(other), 0x10_0400, 10) == 0)
        #expect(s.call(.sendto, UInt64(other), 0x10_0400, 1, 0x4000, 0, 0) == LinuxError.brokenPipe.returnValue)
        // Without a network card, the same connect is unreachable.
        s.h.process.network = nil
        let third = s.call(.socket, 2, 1, 0)
        #expect(s.call(.connect, UInt64(third), s.address(Self.peerAddress, 7001), 16) == LinuxError.networkUnreachable.returnValue)
    }

    @Test func datagramsGoBothWaysWithTheirSender() throws {
        let s = Setup()
        let socket = s.call(.socket, 2, 2 | 0o4000, 0)
        #expect(s.call(.bind, UInt64(socket), s.address(0, 5353), 16) == 0)
        let other = s.call(.socket, 2, 2, 0)
        #expect(s.call(.bind, UInt64(other), s.address(0, 5353), 16) == LinuxError.addressInUse.returnValue)
        let remote = try #require(UDPSocket(stack: s.peer, port: 4000))
        remote.send(Array("query".utf8), to: IPv4Address(10, 0, 0, 1), port: 5353)
        s.pump()
        #expect(s.revents(socket) & EventPoll.input != 0)
        _ = s.h.memory.write(0x10_0300, [16, 0, 0, 0])
        #expect(s.call(.recvfrom, UInt64(socket), 0x10_0400, 100, 0, 0x10_0240, 0x10_0300) == 5)
        #expect(s.h.memory.read(0x10_0240, count: 8) == [2, 0, 0x0F, 0xA0, 10, 0, 0, 2])
        _ = s.h.memory.write(0x10_0400, Array("answer".utf8))
        #expect(s.call(.sendto, UInt64(socket), 0x10_0400, 6, 0, 0x10_0240, 16) == 6)
        #expect(s.call(.sendto, UInt64(socket), 0x10_0400, 1500, 0, 0x10_0240, 16) == LinuxError.messageTooLong.returnValue)
        s.pump()
        let datagram = try #require(remote.tryReceive())
        #expect(datagram.data == Array("answer".utf8) && datagram.port == 5353)
    }

    @Test func edgeTriggeredEpollReportsBytesThatArriveAfterADrain() throws {
        let s = Setup()
        let listener = try #require(TCPListener(stack: s.peer, port: 7002))
        let socket = s.call(.socket, 2, 1 | 0o4000, 0)
        _ = s.call(.connect, UInt64(socket), s.address(Self.peerAddress, 7002), 16)
        s.pump()
        let accepted = try #require(listener.tryAccept())
        let poll = s.call(.epollCreate1, 0)
        let flags = EventPoll.input | EventPoll.edgeTriggered
        let event = (0..<4).map { UInt8(truncatingIfNeeded: flags >> (8 * $0)) } + [42, 0, 0, 0, 0, 0, 0, 0]
        _ = s.h.memory.write(0x10_0500, event)
        #expect(s.call(.epollControl, UInt64(poll), 1, UInt64(socket), 0x10_0500) == 0)
        #expect(s.call(.epollWait, UInt64(poll), 0x10_0700, 8, 0) == 0)
        for round in 0..<3 {
            #expect(accepted.tryWrite(Array("chunk".utf8)[...]) == 5)
            s.pump()
            #expect(s.call(.epollWait, UInt64(poll), 0x10_0700, 8, 0) == 1, "round \(round)")
            #expect(s.call(.epollWait, UInt64(poll), 0x10_0700, 8, 0) == 0, "round \(round): one edge, one report")
            // More bytes before the program read: a new edge, as in Linux.
            #expect(accepted.tryWrite(Array("more".utf8)[...]) == 4)
            s.pump()
            #expect(s.call(.epollWait, UInt64(poll), 0x10_0700, 8, 0) == 1, "round \(round)")
            #expect(s.call(.read, UInt64(socket), 0x10_0400, 100) == 9)
            #expect(s.call(.read, UInt64(socket), 0x10_0400, 100) == LinuxError.tryAgain.returnValue)
        }
    }
}

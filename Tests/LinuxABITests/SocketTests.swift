import Testing
import CPIO
import LinuxABI

/// Sockets through the system calls, on the loopback network: what Linux answers for each
/// misuse, and the bounds (backlog, datagram queue) that Linux's own answers cannot show.
/// (Tests/ImageTests/Programs/sockets.c compares a whole program with the host's Linux.)
@Suite("Sockets on the loopback network")
struct SocketTests {
    typealias N = SystemCallNumber
    static let loopbackAddress = SocketAddress.inet(address: 0x7F00_0001, port: 0)

    @Test func addressesHaveLinuxsLayout() throws {
        let address = SocketAddress.inet(address: 0x7F00_0001, port: 8080)
        #expect(address.bytes == [2, 0, 0x1F, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try SocketAddress.parse(address.bytes, family: SocketAddress.inetFamily) == address)
        #expect(throws: LinuxError.invalidArgument) { try SocketAddress.parse([2, 0, 0, 80], family: SocketAddress.inetFamily) }
        #expect(throws: LinuxError.addressFamilyNotSupported) { try SocketAddress.parse([10, 0] + Array(repeating: 0, count: 26), family: SocketAddress.inetFamily) }
        #expect(throws: LinuxError.invalidArgument) { try SocketAddress.parse([1, 0, 0], family: SocketAddress.unixFamily) }
        #expect(SocketAddress.unix(path: "/run/x").bytes == [1, 0] + Array("/run/x".utf8) + [0])
    }

    @Test func socketRefusesWhatLinuxRefuses() {
        let h = LinuxProcessTests.Harness()
        #expect(h.call(.socket, 10, 1, 0) == LinuxError.addressFamilyNotSupported.returnValue)   // AF_INET6: not yet
        #expect(h.call(.socket, 2, 3, 0) == LinuxError.notPermitted.returnValue)                // SOCK_RAW
        #expect(h.call(.socket, 2, 1, 17) == LinuxError.protocolNotSupported.returnValue)       // stream over UDP
        #expect(h.call(.socket, 2, 1 | 0x100, 0) == LinuxError.invalidArgument.returnValue)     // unknown type flag
        #expect(h.call(.socket, 2, 1 | 0o4000 | 0o2000000, 6) == 3)
        #expect(h.call(.listen, 1, 5) == LinuxError.notSocket.returnValue)
        #expect(h.call(.listen, 77, 5) == LinuxError.badFileDescriptor.returnValue)
        #expect(h.call(.setsockopt, 3, 1, 99, 0x10_0100, 4) == LinuxError.protocolOptionUnknown.returnValue)
        #expect(h.call(.lseek, 3, 0, 0) == LinuxError.illegalSeek.returnValue)
    }

    /// Binds a listener on 127.0.0.1 (port chosen) with `backlog`; its descriptor and port.
    static func listener(_ h: LinuxProcessTests.Harness, backlog: UInt64) -> (Int64, UInt64) {
        let descriptor = h.call(.socket, 2, 1, 0)
        _ = h.memory.write(0x10_0200, loopbackAddress.bytes)
        #expect(h.call(.bind, UInt64(descriptor), 0x10_0200, 16) == 0)
        #expect(h.call(.listen, UInt64(descriptor), backlog) == 0)
        _ = h.memory.write(0x10_0300, [16, 0, 0, 0])
        #expect(h.call(.getsockname, UInt64(descriptor), 0x10_0210, 0x10_0300) == 0)
        let port = UInt64(h.memory.read(0x10_0212, count: 2)!.reduce(0) { $0 << 8 | Int($1) })
        #expect((32768...60999).contains(Int(port)))
        return (descriptor, port)
    }

    static func connect(_ h: LinuxProcessTests.Harness, port: UInt64) -> (socket: Int64, result: Int64) {
        let descriptor = h.call(.socket, 2, 1 | 0o4000, 0)
        _ = h.memory.write(0x10_0220, SocketAddress.inet(address: 0x7F00_0001, port: UInt16(port)).bytes)
        return (descriptor, h.call(.connect, UInt64(descriptor), 0x10_0220, 16))
    }

    @Test func theBacklogIsBoundedAndAListenerThatClosesEndsWhatWaits() {
        let h = LinuxProcessTests.Harness()
        let (listener, port) = Self.listener(h, backlog: 2)
        let first = Self.connect(h, port: port), second = Self.connect(h, port: port), third = Self.connect(h, port: port)
        #expect(first.result == 0 && second.result == 0)
        #expect(third.result == LinuxError.tryAgain.returnValue)     // the SYN waits: the backlog is full
        #expect(h.call(.connect, UInt64(first.socket), 0x10_0220, 16) == LinuxError.alreadyConnected.returnValue)
        _ = h.memory.write(0x10_0300, [16, 0, 0, 0])
        let accepted = h.call(.accept4, UInt64(listener), 0x10_0240, 0x10_0300, 0o2000000)
        #expect(accepted > 0 && h.memory.read(0x10_0240, count: 2) == [2, 0] && h.memory.read(0x10_0244, count: 4) == [127, 0, 0, 1])   // the client's address
        #expect(h.call(.connect, UInt64(third.socket), 0x10_0220, 16) == 0)   // room again
        // The listener closes: the connection still waiting in its backlog ends, and its
        // client reads the end of the stream.
        #expect(h.call(.close, UInt64(listener)) == 0)
        #expect(h.call(.read, UInt64(second.socket), 0x10_0400, 16) == 0)
        #expect(h.call(.write, UInt64(accepted), 0x10_0400, 4) == 4)           // the accepted one lives on
        #expect(h.call(.read, UInt64(first.socket), 0x10_0400, 16) == 4)
        _ = h.memory.write(0x10_0220, SocketAddress.inet(address: 0x7F00_0001, port: UInt16(port)).bytes)
        let late = h.call(.socket, 2, 1, 0)
        #expect(h.call(.connect, UInt64(late), 0x10_0220, 16) == LinuxError.connectionRefused.returnValue)   // the port is free again
        _ = h.memory.write(0x10_0220, SocketAddress.inet(address: 0x0A01_0203, port: 80).bytes)
        #expect(h.call(.connect, UInt64(late), 0x10_0220, 16) == LinuxError.networkUnreachable.returnValue)
    }

    @Test func aPeerThatClosedMakesWritesEPIPEAndSIGPIPEUnlessAsked() {
        let h = LinuxProcessTests.Harness()
        let (listener, port) = Self.listener(h, backlog: 4)
        let client = Self.connect(h, port: port).socket
        let server = h.call(.accept, UInt64(listener), 0, 0)
        #expect(h.call(.close, UInt64(server)) == 0)
        #expect(h.call(.sendto, UInt64(client), 0x10_0400, 4, 0x4000, 0, 0) == LinuxError.brokenPipe.returnValue && h.process.exitStatus == nil)
        #expect(h.call(.write, UInt64(client), 0x10_0400, 4) == LinuxError.brokenPipe.returnValue && h.process.exitStatus == 128 + 13)
    }

    @Test func aFullDatagramQueueDropsAndCounts() {
        let h = LinuxProcessTests.Harness()
        let (receiver, sender) = Self.datagramPair(h)
        let datagram = 60_000
        for _ in 0..<5 { #expect(h.call(.sendto, UInt64(sender), 0x10_1000, UInt64(datagram), 0, 0x10_0200, 16) == Int64(datagram)) }
        #expect(h.call(.sendto, UInt64(sender), 0x10_1000, 70_000, 0, 0x10_0200, 16) == LinuxError.messageTooLong.returnValue)
        var got = 0
        while h.call(.recvfrom, UInt64(receiver), 0x10_1000, 100, 0x40, 0, 0) > 0 { got += 1 }
        #expect(got == Socket.datagramCapacity / datagram)   // the rest was dropped, as a full UDP socket drops
    }

    /// writev is one write of its pieces gathered: over UDP, one datagram (as Linux sends it).
    @Test func writevSendsItsPiecesAsOneDatagram() {
        let h = LinuxProcessTests.Harness()
        let (receiver, sender) = Self.datagramPair(h)
        #expect(h.call(.connect, UInt64(sender), 0x10_0200, 16) == 0)
        _ = h.memory.write(0x10_1000, Array("hello, ".utf8))
        _ = h.memory.write(0x10_1100, Array("datagram".utf8))
        _ = h.memory.write(0x10_0400, [0x00, 0x10, 0x10, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x11, 0x10, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0])
        #expect(h.call(.writev, UInt64(sender), 0x10_0400, 2) == 15)
        #expect(h.call(.recvfrom, UInt64(receiver), 0x10_2000, 100, 0x40, 0, 0) == 15)
        #expect(h.memory.read(0x10_2000, count: 15) == Array("hello, datagram".utf8))
        #expect(h.call(.recvfrom, UInt64(receiver), 0x10_2000, 100, 0x40, 0, 0) == LinuxError.tryAgain.returnValue)   // only one
        #expect(h.call(.writev, UInt64(sender), 0x10_0400, 0) == 0)   // no pieces: nothing sent
        #expect(h.call(.recvfrom, UInt64(receiver), 0x10_2000, 100, 0x40, 0, 0) == LinuxError.tryAgain.returnValue)
    }

    /// A UDP receiver bound on loopback (its address left at 0x10_0200) and a sender.
    static func datagramPair(_ h: LinuxProcessTests.Harness) -> (receiver: Int64, sender: Int64) {
        let receiver = h.call(.socket, 2, 2, 0), sender = h.call(.socket, 2, 2, 0)
        _ = h.memory.write(0x10_0200, loopbackAddress.bytes)
        #expect(h.call(.bind, UInt64(receiver), 0x10_0200, 16) == 0)
        _ = h.memory.write(0x10_0300, [16, 0, 0, 0])
        #expect(h.call(.getsockname, UInt64(receiver), 0x10_0200, 0x10_0300) == 0)
        return (receiver, sender)
    }
}

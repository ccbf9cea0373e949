import Net

/// A socket as a descriptor holds it: its domain and type, where it is bound and connected,
/// and its bytes. On the loopback network and in Unix socket pairs they are served here: a
/// connected stream socket reads from one ``PipeBuffer`` and writes to its peer's; a datagram
/// socket queues what arrives for it. Towards other hosts they go through the process's
/// ``NetworkStack`` (Net's TCP/IP): the socket then holds a `TCPListener`, a `TCPStream` or a
/// `UDPSocket` (see `SocketOverNetwork.swift`).
///
/// Guarantees: the state only moves as Linux's does (fresh → bound → listening, or
/// connected), so each call's refusal is Linux's: `EINVAL` binding twice or accepting on a
/// socket that does not listen, `EISCONN` connecting twice, `ENOTCONN` reading a stream that
/// is not connected, `EPIPE` writing to one, after `shutdown(SHUT_WR)` or once the peer is gone. Every
/// queue is bounded: a listener's backlog, 64 KiB per stream direction, ``datagramCapacity``
/// bytes of datagrams (more is dropped and counted, as a full UDP socket drops).
public final class Socket {
    public enum Domain: Sendable, Equatable { case inet, unix }
    public enum Kind: Int32, Sendable { case stream = 1, datagram = 2 }

    public let domain: Domain
    public let kind: Kind
    /// Where it is bound (nil: not yet).
    public internal(set) var local: SocketAddress? = nil
    /// Its peer: the other end of a stream, or a datagram socket's default destination.
    public internal(set) var peer: SocketAddress? = nil
    /// Listening, with this backlog (nil: not listening).
    public internal(set) var backlog: Int? = nil
    /// Connections that arrived and wait for `accept`.
    var pending: [Socket] = []
    /// A connected stream's two directions.
    var incoming: PipeBuffer? = nil
    var outgoing: PipeBuffer? = nil
    var readShut = false, writeShut = false
    /// Datagrams that arrived: their sender and bytes.
    var datagrams: [(from: SocketAddress, bytes: [UInt8])] = []
    var datagramBytes = 0
    public internal(set) var droppedDatagrams = 0
    /// Options as set (`level << 32 | name`), for `getsockopt`.
    var options: [UInt64: [UInt8]] = [:]
    /// `SO_ERROR`: an error not yet reported.
    var pendingError: LinuxError? = nil
    /// The network it is bound on (it leaves it when it closes).
    var network: LoopbackNetwork? = nil
    /// Over the network card: the stack's listener on its port, its connection, its UDP port.
    var remoteListener: TCPListener? = nil
    var remoteStream: TCPStream? = nil
    var remoteDatagrams: UDPSocket? = nil
    /// A blocking `connect` to another host started and is not answered yet.
    var connectPending = false
    /// The connection's reset was reported (`ECONNRESET` once, then the end of the stream).
    var resetReported = false
    /// How many connections and datagrams arrived here on the loopback network (an edge).
    var arrivals: UInt64 = 0

    public static let datagramCapacity = 212_992   // Linux's default rmem
    public static let maximumBacklog = 4096           // somaxconn

    init(domain: Domain, kind: Kind) {
        self.domain = domain
        self.kind = kind
    }

    public var isConnected: Bool { incoming != nil || remoteStream != nil }

    /// Joins two fresh stream sockets as a connection.
    static func connect(_ one: Socket, _ other: Socket) {
        let forward = PipeBuffer(), backward = PipeBuffer()
        one.outgoing = forward; other.incoming = forward
        one.incoming = backward; other.outgoing = backward
    }

    /// `read`/`recv` on a stream: what arrived (up to `maximum`; all of it stays with `peek`),
    /// empty at the end of the stream, `EAGAIN` when nothing is there yet.
    func receive(maximum: Int, peek: Bool) throws(LinuxError) -> [UInt8] {
        if let remoteStream { return try receiveRemote(remoteStream, maximum: maximum, peek: peek) }
        guard let incoming else { throw kind == .stream ? .notConnected : .tryAgain }
        if readShut { return [] }
        return peek ? try incoming.peek(maximum: maximum) : try incoming.take(maximum: maximum)
    }

    /// `write`/`send` on a stream: how many bytes went.
    func send(_ bytes: ArraySlice<UInt8>) throws(LinuxError) -> Int {
        if let remoteStream { return try sendRemote(remoteStream, bytes) }
        guard let outgoing else { throw .notConnected }
        guard !writeShut else { throw .brokenPipe }
        return try outgoing.put(bytes, atomic: false)
    }

    /// A datagram for this socket (dropped when its queue is full).
    func deliver(_ bytes: [UInt8], from sender: SocketAddress) {
        guard datagramBytes + bytes.count <= Socket.datagramCapacity else { droppedDatagrams += 1; return }
        datagrams.append((sender, bytes))
        datagramBytes += bytes.count
        arrivals &+= 1
    }

    /// `shutdown`: `how` 0 (reading), 1 (writing), 2 (both).
    func shutdown(_ how: UInt64) throws(LinuxError) {
        guard how <= 2 else { throw .invalidArgument }
        guard isConnected else { throw .notConnected }
        if how != 1 { readShut = true }
        if how != 0 && !writeShut {
            writeShut = true
            outgoing?.writers -= 1
            remoteStream?.shutdownWrite()
        }
    }

    /// Its last descriptor closed: the peer sees the end of the stream (and `EPIPE` writing);
    /// connections still waiting in the backlog are ended too.
    func close() {
        if let incoming { incoming.readers -= 1 }
        if let outgoing, !writeShut { outgoing.writers -= 1 }
        writeShut = true
        incoming = nil
        outgoing = nil
        for connection in pending { connection.close() }
        pending = []
        backlog = nil
        closeRemote()
        network?.unbind(self)
        network = nil
    }

    /// What it is ready for, as `poll` and `epoll` report it.
    var readiness: UInt32 {
        if backlog != nil { return pending.isEmpty && !(remoteListener?.hasReady ?? false) ? 0 : EventPoll.input }
        if kind == .datagram { pullDatagrams(); return (datagrams.isEmpty ? 0 : EventPoll.input) | EventPoll.output }
        if let remoteStream { return remoteReadiness(remoteStream) }
        guard let incoming, let outgoing else { return EventPoll.output | EventPoll.hangUp }   // never connected
        var events: UInt32 = 0
        if incoming.count > 0 || incoming.writers == 0 || readShut { events |= EventPoll.input }
        if incoming.writers == 0 { events |= EventPoll.readHangUp }
        if !writeShut && outgoing.readers > 0 && outgoing.count < PipeBuffer.capacity { events |= EventPoll.output }
        if outgoing.readers == 0 { events |= EventPoll.error }
        if incoming.writers == 0 && (writeShut || outgoing.readers == 0) { events |= EventPoll.hangUp }
        return events
    }

    /// A number that changes whenever something arrives for it or its peer frees room (an
    /// edge for `EPOLLET`, which the readiness bits alone cannot show when they stay set).
    var activity: UInt64 {
        var total = arrivals &+ UInt64(pending.count)
        if let incoming { total &+= incoming.puts }
        if let outgoing { total &+= outgoing.takes << 20 }
        if let remoteStream { total &+= remoteStream.progress }
        if let remoteListener { total &+= remoteListener.arrivals << 40 }
        return total
    }
}

/// The loopback network a process's sockets meet on (127.0.0.0/8, and `INADDR_ANY` when
/// binding): who is bound to which port, and the ephemeral ports given out.
///
/// Guarantees: a port is bound by one socket of a type at a time, unless every one of them
/// set `SO_REUSEPORT` (then connections go to the first listener); `EADDRINUSE` otherwise;
/// ephemeral ports come from 32768…60999, Linux's range, skipping those in use.
public final class LoopbackNetwork {
    var bound: [Socket] = []
    var nextEphemeral: UInt16 = 32768

    public init() {}

    func port(of socket: Socket) -> UInt16? {
        if case .inet(_, let port) = socket.local { return port }
        return nil
    }

    func sockets(on port: UInt16, kind: Socket.Kind) -> [Socket] {
        bound.filter { $0.kind == kind && self.port(of: $0) == port }
    }

    /// Binds `socket` to `address` (port 0: an ephemeral one).
    func bind(_ socket: Socket, to address: UInt32, port requested: UInt16) throws(LinuxError) {
        var port = requested
        if port == 0 {
            var tries = 0
            repeat {
                port = nextEphemeral
                nextEphemeral = nextEphemeral >= 60999 ? 32768 : nextEphemeral + 1
                tries += 1
                guard tries <= 28232 else { throw .addressInUse }
            } while !sockets(on: port, kind: socket.kind).isEmpty
        } else {
            let others = sockets(on: port, kind: socket.kind)
            let sharing = others.allSatisfy { Self.reusesPort($0) } && Self.reusesPort(socket)
            guard others.isEmpty || sharing else { throw .addressInUse }
        }
        socket.local = .inet(address: address, port: port)
        socket.network = self
        bound.append(socket)
    }

    static func reusesPort(_ socket: Socket) -> Bool {
        socket.options[1 << 32 | 15].map { $0.contains { $0 != 0 } } ?? false   // SOL_SOCKET, SO_REUSEPORT
    }

    func unbind(_ socket: Socket) { bound.removeAll { $0 === socket } }

    /// The listener a connection to `port` reaches.
    func listener(on port: UInt16) -> Socket? {
        sockets(on: port, kind: .stream).first { $0.backlog != nil }
    }
}

import Net

/// The socket calls — `socket`, `socketpair`, `bind`, `listen`, `accept`/`accept4`, `connect`,
/// `send`/`sendto`/`sendmsg`, `recv`/`recvfrom`/`recvmsg`, `shutdown`, `getsockname`,
/// `getpeername`, `setsockopt`/`getsockopt` and the `ioctl`s `FIONBIO` and `FIONREAD` — for
/// AF_INET stream and datagram sockets on the loopback network (127.0.0.0/8), towards other
/// hosts over the network card's stack (``network``), and AF_UNIX socket pairs, served
/// without blocking like the other event descriptors (a call that would block is `EAGAIN`;
/// the mechanism sleeps until an event changes and asks again). Without a network card other
/// addresses are `ENETUNREACH`; AF_INET6 is `EAFNOSUPPORT`, a Unix socket by path `ENOENT`
/// (none listens). A socket bound to `INADDR_ANY` (or the card's address) hears both the
/// loopback network and the card.
extension LinuxProcess {
    static let messageNoSignal: UInt64 = 0x4000, messageDontWait: UInt64 = 0x40, messagePeek: UInt64 = 0x2, messageTruncate: UInt64 = 0x20

    func serveSockets(_ call: SystemCallNumber, _ a: [UInt64], _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        switch call {
        case .socket:
            let socket = try makeSocket(domain: a[0], type: a[1], protocol: a[2])
            return Int64(try files.open(socket: socket, flags: Int32(truncatingIfNeeded: a[1] & Self.descriptorFlags)))
        case .socketpair:
            guard a[0] == 1 else { throw a[0] == 2 || a[0] == 10 ? .notSupported : .addressFamilyNotSupported }
            let one = try makeSocket(domain: a[0], type: a[1], protocol: a[2]), other = try makeSocket(domain: a[0], type: a[1], protocol: a[2])
            guard one.kind == .stream else { throw .notSupported }   // datagram pairs: not yet
            Socket.connect(one, other)
            let flags = Int32(truncatingIfNeeded: a[1] & Self.descriptorFlags)
            let first = try files.open(socket: one, flags: flags)
            let second: Int32
            do { second = try files.open(socket: other, flags: flags) } catch { try? files.close(first); throw error }
            var bytes: [UInt8] = []
            LittleEndian.append(UInt32(bitPattern: first), to: &bytes)
            LittleEndian.append(UInt32(bitPattern: second), to: &bytes)
            guard memory.write(a[3], bytes) else { try? files.close(first); try? files.close(second); throw .badAddress }
            return 0
        case .bind:
            let socket = try self.socket(a[0])
            let address = try readAddress(a[1], length: a[2], for: socket, memory)
            guard socket.local == nil else { throw .invalidArgument }
            guard case .inet(let host, let port) = address else { throw .notSupported }   // Unix sockets by path: not yet
            guard host == SocketAddress.anyAddress || SocketAddress.isLoopback(host) || isCardAddress(host) else { throw .addressNotAvailable }
            try bind(socket, to: host, port: port)
            return 0
        case .listen:
            let socket = try self.socket(a[0])
            guard socket.kind == .stream else { throw .notSupported }
            guard !socket.isConnected else { throw .invalidArgument }
            guard socket.domain == .inet else { throw .invalidArgument }
            if socket.local == nil { try bind(socket, to: SocketAddress.anyAddress, port: 0) }
            let backlog = min(max(Int(Int32(truncatingIfNeeded: a[1])), 1), Socket.maximumBacklog)
            if let network, socket.remoteListener == nil, case .inet(let host, let port) = socket.local, host == SocketAddress.anyAddress || isCardAddress(host) {
                if let listener = TCPListener(stack: network, port: port, backlog: backlog) {
                    socket.remoteListener = listener
                } else if !loopback.sockets(on: port, kind: .stream).contains(where: { $0 !== socket && $0.remoteListener != nil }) {
                    throw .addressInUse   // something else of the stack's listens there
                }   // else: a socket sharing the port (SO_REUSEPORT) takes the card's connections
            }
            socket.backlog = backlog
            return 0
        case .accept, .accept4:
            let flags = call == .accept ? 0 : a[3]
            guard flags & ~Self.descriptorFlags == 0 else { throw .invalidArgument }
            let listener = try self.socket(a[0])
            guard listener.backlog != nil else { throw .invalidArgument }
            guard !listener.pending.isEmpty else { return try acceptRemote(listener, flags: flags, address: a[1], length: a[2], memory) }
            if a[1] != 0 { try writeAddress(listener.pending[0].peer, to: a[1], length: a[2], memory) }
            let connection = listener.pending.removeFirst()
            eventsChanged = true
            return Int64(try files.open(socket: connection, flags: Int32(truncatingIfNeeded: flags)))
        case .connect:
            let socket = try self.socket(a[0])
            return try connect(socket, to: a[1], length: a[2], nonBlocking: !waitsForEvents(fd(a[0])), memory)
        case .getsockname, .getpeername:
            let socket = try self.socket(a[0])
            if call == .getpeername {
                guard let peer = socket.peer, socket.isConnected || socket.kind == .datagram else { throw .notConnected }
                try writeAddress(peer, to: a[1], length: a[2], memory)
            } else {
                try writeAddress(socket.local ?? (socket.domain == .inet ? .inet(address: 0, port: 0) : .unix(path: "")), to: a[1], length: a[2], memory)
            }
            return 0
        case .shutdown:
            let socket = try self.socket(a[0])
            try socket.shutdown(a[1])
            if socket.remoteStream != nil { networkUsed = true }
            eventsChanged = true
            return 0
        case .sendto:
            let socket = try self.socket(a[0])
            if socket.kind == .datagram { guard a[2] <= 65_507 else { throw .messageTooLong } }   // before the bytes, as udp_sendmsg checks
            guard let bytes = memory.read(a[1], count: Int(clamping: min(a[2], 1 << 30))) else { throw .badAddress }
            let destination = a[4] == 0 ? nil : try readAddress(a[4], length: a[5], for: socket, memory)
            return Int64(try send(bytes[...], on: socket, to: destination, flags: a[3]))
        case .recvfrom:
            let socket = try self.socket(a[0])
            let (bytes, length, from) = try receive(on: socket, maximum: Int(clamping: min(a[2], 1 << 30)), flags: a[3])
            guard memory.write(a[1], bytes) else { throw .badAddress }
            if a[4] != 0, socket.kind == .datagram { try writeAddress(from, to: a[4], length: a[5], memory) }
            return Int64(length)
        case .sendmsg, .recvmsg:
            return try message(call, socket: try self.socket(a[0]), header: a[1], flags: a[2], memory)
        case .setsockopt:
            let socket = try self.socket(a[0])
            guard Int64(bitPattern: a[4]) >= 0 else { throw .invalidArgument }
            guard Self.knownOption(level: a[1], name: a[2]) else { throw .protocolOptionUnknown }
            guard a[4] >= 4 else { throw .invalidArgument }
            guard let value = memory.read(a[3], count: Int(min(a[4], 64))) else { throw .badAddress }
            socket.options[a[1] << 32 | a[2]] = value
            return 0
        case .getsockopt:
            let socket = try self.socket(a[0])
            guard let lengthBytes = memory.read(a[4], count: 4) else { throw .badAddress }
            let room = Int32(bitPattern: LittleEndian.word32(lengthBytes, at: 0))
            guard room >= 0 else { throw .invalidArgument }
            let value = try optionValue(socket, level: a[1], name: a[2])
            let given = Array(value.prefix(Int(room)))
            guard memory.write(a[3], given) else { throw .badAddress }
            var written: [UInt8] = []
            LittleEndian.append(UInt32(given.count), to: &written)
            guard memory.write(a[4], written) else { throw .badAddress }
            return 0
        default:
            throw .notImplemented
        }
    }

    /// The socket behind `descriptor`: `EBADF` if none is open, `ENOTSOCK` if it is no socket.
    func socket(_ descriptor: UInt64) throws(LinuxError) -> Socket {
        guard case .socket(let socket) = try files.file(fd(descriptor)).event else { throw .notSocket }
        return socket
    }

    func makeSocket(domain: UInt64, type: UInt64, protocol number: UInt64) throws(LinuxError) -> Socket {
        guard type & ~(Self.descriptorFlags | 0xF) == 0 else { throw .invalidArgument }
        let family: Socket.Domain
        switch domain {
        case 2: family = .inet
        case 1: family = .unix
        default: throw .addressFamilyNotSupported
        }
        let kind: Socket.Kind
        switch type & 0xF {
        case 1: kind = .stream
        case 2: kind = .datagram
        case 3, 4, 5, 6: throw family == .inet && type & 0xF == 3 ? .notPermitted : .socketTypeNotSupported
        default: throw .invalidArgument
        }
        switch (family, kind, number) {
        case (_, _, 0), (.inet, .stream, 6), (.inet, .datagram, 17): break
        default: throw .protocolNotSupported
        }
        return Socket(domain: family, kind: kind)
    }

    /// The address at `address` (`length` bytes) for `socket`'s family.
    func readAddress(_ address: UInt64, length: UInt64, for socket: Socket, _ memory: some ProgramMemory) throws(LinuxError) -> SocketAddress {
        guard Int64(bitPattern: length) >= 0, length <= 128 else { throw .invalidArgument }
        guard let bytes = memory.read(address, count: Int(length)) else { throw .badAddress }
        return try SocketAddress.parse(bytes, family: socket.domain == .inet ? SocketAddress.inetFamily : SocketAddress.unixFamily)
    }

    /// Writes `address` at `buffer` (as much as the `socklen_t` at `lengthAddress` allows) and
    /// its full length there, as Linux does.
    func writeAddress(_ address: SocketAddress?, to buffer: UInt64, length lengthAddress: UInt64, _ memory: some ProgramMemory) throws(LinuxError) {
        guard let bytes = memory.read(lengthAddress, count: 4) else { throw .badAddress }
        let room = Int32(bitPattern: LittleEndian.word32(bytes, at: 0))
        guard room >= 0 else { throw .invalidArgument }
        let encoded = address?.bytes ?? [0, 0]
        if room > 0 { guard memory.write(buffer, Array(encoded.prefix(Int(room)))) else { throw .badAddress } }
        var length: [UInt8] = []
        LittleEndian.append(UInt32(encoded.count), to: &length)
        guard memory.write(lengthAddress, length) else { throw .badAddress }
    }

    func connect(_ socket: Socket, to address: UInt64, length: UInt64, nonBlocking: Bool, _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        guard socket.backlog == nil else { throw .invalidArgument }
        if let stream = socket.remoteStream { return try connectionOutcome(socket, stream, nonBlocking: nonBlocking) }
        let target = try readAddress(address, length: length, for: socket, memory)
        guard case .inet(let givenHost, let port) = target else { throw .noEntry }   // no Unix socket listens at any path
        let host = isCardAddress(givenHost) ? 0x7F00_0001 : givenHost   // the card's own address is this host
        let local = SocketAddress.isLoopback(host) || host == SocketAddress.anyAddress
        if socket.kind == .datagram {
            guard local || network != nil else { throw .networkUnreachable }
            if socket.local == nil { try bind(socket, to: SocketAddress.anyAddress, port: 0) }
            socket.peer = .inet(address: host == 0 ? 0x7F00_0001 : host, port: port)
            return 0
        }
        guard !socket.isConnected else { throw .alreadyConnected }
        if !local {
            guard let network else { throw .networkUnreachable }
            guard let stream = TCPStream.open(stack: network, address: IPv4Address(host), port: port) else { throw .addressNotAvailable }
            socket.remoteStream = stream
            socket.local = .inet(address: network.configuration.address.value, port: stream.key.localPort)
            socket.peer = .inet(address: host, port: port)
            networkUsed = true
            if nonBlocking { throw .inProgress }
            socket.connectPending = true
            throw .tryAgain   // the mechanism waits for the answer and asks again
        }
        guard let listener = loopback.listener(on: port) else { throw .connectionRefused }
        guard listener.pending.count < (listener.backlog ?? 0) else { throw .tryAgain }   // a full backlog: the SYN waits
        if socket.local == nil { try loopback.bind(socket, to: 0x7F00_0001, port: 0) }
        listener.arrivals &+= 1
        let accepted = Socket(domain: .inet, kind: .stream)
        Socket.connect(socket, accepted)
        let client: SocketAddress = { if case .inet(_, let local) = socket.local { return .inet(address: 0x7F00_0001, port: local) }; return .inet(address: 0x7F00_0001, port: 0) }()
        accepted.local = .inet(address: host == 0 ? 0x7F00_0001 : host, port: port)
        accepted.peer = client
        socket.peer = .inet(address: host == 0 ? 0x7F00_0001 : host, port: port)
        listener.pending.append(accepted)
        eventsChanged = true
        return 0
    }

    /// `send` on `socket` (to `destination` for a datagram), with `MSG_NOSIGNAL` and
    /// `MSG_DONTWAIT`; a stream whose peer is gone is `EPIPE`, with SIGPIPE unless told not.
    func send(_ bytes: ArraySlice<UInt8>, on socket: Socket, to destination: SocketAddress?, flags: UInt64) throws(LinuxError) -> Int {
        switch socket.kind {
        case .stream:
            do throws(LinuxError) {
                guard socket.isConnected else { throw LinuxError.brokenPipe }   // Linux's tcp_sendmsg before a connection
                let remote = socket.remoteStream != nil
                if remote { networkUsed = true }
                let sent = try socket.send(bytes)
                // Loopback bytes make the peer readable; bytes to another host make nothing
                // here ready (the stack's poll reports what the peer does about them), so the
                // threads waiting for events are not woken for every send.
                if sent > 0 && !remote { eventsChanged = true }
                return sent
            } catch {
                if error == .brokenPipe && flags & Self.messageNoSignal == 0 { brokenPipe() }
                throw error
            }
        case .datagram:
            guard let target = destination ?? socket.peer else { throw .destinationRequired }
            guard bytes.count <= 65_507 else { throw .messageTooLong }
            guard case .inet(let givenHost, let port) = target else { throw .notSupported }
            let host = isCardAddress(givenHost) ? 0x7F00_0001 : givenHost
            if socket.local == nil { try bind(socket, to: SocketAddress.anyAddress, port: 0) }
            guard SocketAddress.isLoopback(host) || host == 0 else {
                guard network != nil else { throw .networkUnreachable }
                guard let udp = socket.remoteDatagrams else { throw .invalidArgument }   // bound to the loopback network only
                guard bytes.count <= Self.largestUnfragmented else { throw .messageTooLong }
                udp.send(Array(bytes), to: IPv4Address(host), port: port)
                return bytes.count
            }
            guard case .inet(_, let from) = socket.local else { throw .invalidArgument }
            if let receiver = loopback.sockets(on: port, kind: .datagram).first {
                receiver.deliver(Array(bytes), from: .inet(address: 0x7F00_0001, port: from))
                eventsChanged = true
            }
            return bytes.count   // nobody bound there: gone, as UDP does
        }
    }

    /// `recv` on `socket`: the bytes, the datagram's full length (for `MSG_TRUNC`), its sender.
    func receive(on socket: Socket, maximum: Int, flags: UInt64) throws(LinuxError) -> (bytes: [UInt8], length: Int, from: SocketAddress?) {
        switch socket.kind {
        case .stream:
            let bytes = try socket.receive(maximum: maximum, peek: flags & Self.messagePeek != 0)
            // A loopback read frees room for the peer; a read from another host's stream makes
            // nothing here ready, and the window it opens is the stack's to announce.
            if !bytes.isEmpty && flags & Self.messagePeek == 0 && socket.remoteStream == nil { eventsChanged = true }
            if !bytes.isEmpty && socket.remoteStream != nil { networkUsed = true }   // the window opened
            return (bytes, bytes.count, socket.peer)
        case .datagram:
            socket.pullDatagrams()
            guard let first = socket.datagrams.first else { throw .tryAgain }
            if flags & Self.messagePeek == 0 {
                socket.datagrams.removeFirst()
                socket.datagramBytes -= first.bytes.count
            }
            let kept = Array(first.bytes.prefix(maximum))
            return (kept, flags & Self.messageTruncate != 0 ? first.bytes.count : kept.count, first.from)
        }
    }

    /// `sendmsg` and `recvmsg`: a `struct msghdr` (name, iovecs; no control data).
    func message(_ call: SystemCallNumber, socket: Socket, header: UInt64, flags: UInt64, _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        guard let fields = memory.read(header, count: 56) else { throw .badAddress }
        let name = LittleEndian.word(fields, at: 0), nameLength = LittleEndian.word(fields, at: 8) & 0xFFFF_FFFF
        let vector = LittleEndian.word(fields, at: 16), count = LittleEndian.word(fields, at: 24)
        guard count <= 1024 else { throw .messageTooLong }
        guard let entries = memory.read(vector, count: Int(count) * 16) else { throw .badAddress }
        let pieces = (0..<Int(count)).map { (LittleEndian.word(entries, at: $0 * 16), LittleEndian.word(entries, at: $0 * 16 + 8)) }
        let total = pieces.reduce(UInt64(0)) { $0 &+ $1.1 }
        guard total <= 1 << 30 else { throw .invalidArgument }
        if call == .sendmsg {
            var bytes: [UInt8] = []
            for (base, length) in pieces {
                guard let piece = memory.read(base, count: Int(length)) else { throw .badAddress }
                bytes += piece
            }
            let destination = name == 0 || nameLength == 0 ? nil : try readAddress(name, length: nameLength, for: socket, memory)
            return Int64(try send(bytes[...], on: socket, to: destination, flags: flags))
        }
        let (bytes, length, from) = try receive(on: socket, maximum: Int(total), flags: flags)
        var offset = 0
        for (base, length) in pieces where offset < bytes.count {
            let part = Array(bytes[offset..<min(bytes.count, offset + Int(length))])
            guard memory.write(base, part) else { throw .badAddress }
            offset += part.count
        }
        var update: [UInt8] = []
        if name != 0 && socket.kind == .datagram, let from {
            let encoded = Array(from.bytes.prefix(Int(nameLength)))
            guard memory.write(name, encoded) else { throw .badAddress }
            LittleEndian.append(UInt32(from.bytes.count), to: &update)
        } else {
            LittleEndian.append(UInt32(0), to: &update)
        }
        guard memory.write(header + 8, update) else { throw .badAddress }
        var tail: [UInt8] = []
        LittleEndian.append(UInt64(0), to: &tail)   // msg_controllen: no control data
        LittleEndian.append(UInt32(length > bytes.count ? 0x20 : 0), to: &tail)   // msg_flags: MSG_TRUNC
        guard memory.write(header + 40, tail) else { throw .badAddress }
        return Int64(length)
    }

    /// The options servers set: SOL_SOCKET (REUSEADDR, KEEPALIVE, BROADCAST, SNDBUF, RCVBUF,
    /// LINGER, REUSEPORT, RCVTIMEO, SNDTIMEO, ...), IPPROTO_TCP (NODELAY, KEEPIDLE, KEEPINTVL,
    /// KEEPCNT, ...) and IPPROTO_IP (TOS, TTL).
    static func knownOption(level: UInt64, name: UInt64) -> Bool {
        switch level {
        case 1: [2, 5, 6, 7, 8, 9, 10, 13, 15, 20, 21, 30, 32, 33].contains(name)
        case 6: [1, 2, 3, 4, 5, 6, 7, 9, 12, 18].contains(name)
        case 0: [1, 2].contains(name)
        default: false
        }
    }

    /// What `getsockopt` reports.
    func optionValue(_ socket: Socket, level: UInt64, name: UInt64) throws(LinuxError) -> [UInt8] {
        func int(_ value: Int32) -> [UInt8] { var bytes: [UInt8] = []; LittleEndian.append(UInt32(bitPattern: value), to: &bytes); return bytes }
        switch (level, name) {
        case (1, 3): return int(socket.kind.rawValue)                             // SO_TYPE
        case (1, 4):                                                             // SO_ERROR: taken
            if let stream = socket.remoteStream, stream.state == .reset, !socket.resetReported {
                socket.resetReported = true
                return int((stream.handshakeCompleted ? LinuxError.connectionReset : .connectionRefused).rawValue)
            }
            defer { socket.pendingError = nil }
            return int(socket.pendingError?.rawValue ?? 0)
        case (1, 30): return int(socket.backlog != nil ? 1 : 0)                  // SO_ACCEPTCONN
        case (1, 39): return int(socket.domain == .inet ? 2 : 1)                 // SO_DOMAIN
        case (1, 38): return int(socket.kind == .stream && socket.domain == .inet ? 6 : socket.domain == .inet ? 17 : 0)   // SO_PROTOCOL
        case (1, 7), (1, 8):                                                     // SO_SNDBUF, SO_RCVBUF: Linux reports twice what was set
            if let set = socket.options[level << 32 | name] { return int(Int32(bitPattern: LittleEndian.word32(set, at: 0) & 0x7FFF_FFFF) &* 2) }
            return int(name == 7 ? 16_384 : 131_072)
        default:
            guard Self.knownOption(level: level, name: name) else { throw .protocolOptionUnknown }
            if let set = socket.options[level << 32 | name] { return set }
            return (level, name) == (1, 13) ? [0, 0, 0, 0, 0, 0, 0, 0] : (level, name) == (1, 20) || (level, name) == (1, 21) ? Array(repeating: 0, count: 16) : int(0)
        }
    }
}

/// The socket calls' side towards the network card.
extension LinuxProcess {
    /// The largest UDP payload one Ethernet frame carries (Net does not fragment).
    static let largestUnfragmented = 1472

    /// Whether `host` is the network card's own address.
    func isCardAddress(_ host: UInt32) -> Bool {
        guard let network, host != 0 else { return false }
        return network.configuration.address.value == host
    }

    /// Binds `socket` on the loopback network and, for a datagram socket bound to any address
    /// or the card's, at the stack's UDP port too (`EADDRINUSE` if the stack's is taken).
    func bind(_ socket: Socket, to host: UInt32, port: UInt16) throws(LinuxError) {
        try loopback.bind(socket, to: host, port: port)
        guard socket.kind == .datagram, let network, host == SocketAddress.anyAddress || isCardAddress(host),
              case .inet(_, let bound) = socket.local else { return }
        guard let udp = UDPSocket(stack: network, port: bound) else {
            loopback.unbind(socket)
            socket.local = nil
            socket.network = nil
            throw .addressInUse
        }
        socket.remoteDatagrams = udp
    }

    /// `accept` of a connection that arrived over the card (`EAGAIN` when none waits).
    func acceptRemote(_ listener: Socket, flags: UInt64, address: UInt64, length: UInt64, _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        guard let network, let remote = listener.remoteListener, let stream = remote.tryAccept() else { throw .tryAgain }
        let connection = Socket(domain: .inet, kind: .stream)
        connection.remoteStream = stream
        connection.local = .inet(address: network.configuration.address.value, port: remote.port)
        connection.peer = .inet(address: stream.key.remoteAddress.value, port: stream.key.remotePort)
        let descriptor: Int32
        do throws(LinuxError) {
            if address != 0 { try writeAddress(connection.peer, to: address, length: length, memory) }
            descriptor = try files.open(socket: connection, flags: Int32(truncatingIfNeeded: flags))
        } catch {
            stream.abort()   // it was taken from the stack's queue: it must not linger unowned
            throw error
        }
        eventsChanged = true
        return Int64(descriptor)
    }

    func connectionFailed(_ socket: Socket, _ stream: TCPStream, pending: Bool) throws(LinuxError) -> Int64 {
        socket.connectPending = false
        guard pending || !socket.resetReported else { throw .alreadyConnected }
        socket.resetReported = true
        throw stream.handshakeCompleted ? .connectionReset : .connectionRefused
    }

    /// A second look at a `connect` over the card: 0 once the handshake completed (for the
    /// blocking call that started it), `ECONNREFUSED` when it failed, `EALREADY` while a
    /// non-blocking one is under way, `EISCONN` after.
    func connectionOutcome(_ socket: Socket, _ stream: TCPStream, nonBlocking: Bool) throws(LinuxError) -> Int64 {
        let pending = socket.connectPending
        switch stream.state {
        case .synSent:
            if pending { throw .tryAgain }
            throw .alreadyInProgress
        case .reset:
            return try connectionFailed(socket, stream, pending: pending)
        case .closed where !stream.handshakeCompleted:
            return try connectionFailed(socket, stream, pending: pending)
        default:
            socket.connectPending = false
            if pending { return 0 }
            throw .alreadyConnected
        }
    }
}

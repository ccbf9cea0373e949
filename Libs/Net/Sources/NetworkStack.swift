/// The TCP/IP stack of one interface: Ethernet, ARP, IPv4, ICMP echo, UDP and TCP over a
/// ``NetworkDevice``, driven by `poll()`.
///
/// Guarantees: every received frame is parsed by a validating view before any field is used;
/// a malformed frame is counted by reason and dropped, never trusted; what peers can make it
/// hold is bounded by ``NetworkLimits`` — connections in every state (a full backlog evicts
/// its oldest half-open entry for a new SYN, a full table its oldest TIME-WAIT entry), and
/// the bytes buffered over all of them — and every drop is counted by its reason; a
/// connection that closed or was reset is freed once the application has let go of it (or
/// at once if it never had it); packets waiting for ARP, the ARP cache and UDP queues are
/// bounded. Not thread-safe: one thread drives a stack (the app's network loop).
public final class NetworkStack {
    public let device: any NetworkDevice
    public var configuration: InterfaceConfiguration
    public private(set) var counters = NetworkCounters()
    public var limits = NetworkLimits()
    /// Bytes buffered over all connections (kept current as each connection changes).
    public internal(set) var bufferedBytes = 0
    /// Connection timers that came due in polls so far (retransmissions, delayed ACKs,
    /// probes, the ends of FIN-WAIT-2 and TIME-WAIT): a poll that fired none received nothing
    /// if it had no frames to take, so it changed no connection's readiness.
    public private(set) var timersFired = 0
    /// How many bytes of memory are still free (the heap's "can I have this?"), asked once
    /// per `poll`; nil: only the budget counts. Below `limits.reserveBytes` the stack takes
    /// no more data or connections until memory is back.
    public var memoryHeadroom: (() -> Int)? = nil
    /// Whether the last `poll` found memory below the reserve.
    public private(set) var memoryLow = false

    /// Whether the stack may take more data: within its budget and above the reserve.
    var mayBuffer: Bool { !memoryLow && bufferedBytes < limits.bufferBudget }
    /// Milliseconds, monotonic.
    let clock: () -> UInt64
    /// Called by blocking calls between polls (yield the processor, or advance a test clock).
    let idle: () -> Void

    var arp = ARPCache()
    var arpRequested: [IPv4Address: UInt64] = [:]
    var waitingForARP: [(nextHop: IPv4Address, packet: [UInt8])] = []
    static let maximumWaitingForARP = 32

    var connections: [ConnectionKey: Connection] = [:]
    struct Listener {
        var backlog: Int
        /// Handshakes complete, waiting for `accept`.
        var ready: [ConnectionKey] = []
        /// Connections that arrived here and are not accepted yet (half-open or ready).
        var pending = 0
        /// Connections that completed their handshake here so far.
        var arrivals: UInt64 = 0
        /// Half-open connections in order of arrival (entries that completed or ended since
        /// are skipped when met): the oldest is evicted first.
        var halfOpen: [ConnectionKey] = []
    }
    var listeners: [UInt16: Listener] = [:]
    var udpQueues: [UInt16: [(from: IPv4Address, port: UInt16, data: [UInt8])]] = [:]
    static let udpQueueLimit = 64
    var nextEphemeralPort: UInt16 = 49152
    var issSeed: UInt32 = 0x6d2b_79f5
    var identification: UInt16 = 1
    /// Connections the next poll serves, and when the others next need it.
    var awakeConnections: [Connection] = []
    var timers = DeadlineHeap()
    /// How many times a connection's state machine was polled (the work `poll` did).
    public internal(set) var connectionPolls = 0
    /// Connections in TIME-WAIT in the order they entered it (stale entries skipped).
    var timeWaitQueue: [ConnectionKey] = []

    public init(device: any NetworkDevice, configuration: InterfaceConfiguration,
                clock: @escaping () -> UInt64, idle: @escaping () -> Void) {
        self.device = device
        self.configuration = configuration
        self.clock = clock
        self.idle = idle
    }

    public var macAddress: MACAddress { device.macAddress }

    /// When (the clock's milliseconds) a connection's timer runs out next; nil: none is armed.
    /// A thread that drives the stack may sleep until then unless a frame arrives.
    public var nextDeadline: UInt64? {
        if !awakeConnections.isEmpty { return 0 }
        return timers.first?.deadline
    }

    /// Live TCP connections (any state but freed).
    public var connectionCount: Int { connections.count }

    // MARK: Driving

    /// Receives and handles waiting frames (at most `budget`), then lets the connections that
    /// have something to do send it and frees finished ones. Returns whether anything
    /// happened.
    ///
    /// Only connections with news are polled: those that received a segment, that the
    /// application used, or whose timer (retransmission, probe, TIME-WAIT, FIN-WAIT-2) ran out
    /// (a min-heap of deadlines), so a poll costs what happened, not how many connections
    /// exist. They share the device's transmit ring fairly: each gets a quantum of its room in
    /// turn; one that got none, or used all it got, is polled again next time, those that got
    /// none first. ARP requests and resets for unknown ports go out beside the budget (a
    /// refused frame is counted in `transmitDropped`).
    @discardableResult
    public func poll(budget: Int = 64) -> Bool {
        let now = clock()
        var busy = false
        if let memoryHeadroom { memoryLow = memoryHeadroom() < limits.reserveBytes }
        for _ in 0..<budget {
            guard let frame = device.receive() else { break }
            busy = true
            counters.framesReceived += 1
            handle(frame: frame, now: now)
        }
        while let first = timers.first, first.deadline <= now {
            let entry = timers.removeFirst()
            let connection = entry.connection
            guard !connection.freed, connection.queuedDeadline == entry.deadline else { continue }   // stale
            connection.queuedDeadline = nil
            // The deadline may have moved since it was queued: later (queue it again) or away.
            guard let deadline = connection.tcp.nextDeadline else { continue }
            if deadline > now {
                connection.queuedDeadline = deadline
                timers.push((deadline, connection))
            } else {
                timersFired &+= 1
                wake(connection)
            }
        }
        let due = awakeConnections.filter { !$0.freed }
        awakeConnections = []
        for connection in due { connection.awake = false }
        var room = device.transmitRoom
        var round = due
        var starved: [Connection] = []   // given no room this poll
        var hungry: [Connection] = []    // given room, and used all of it
        var firstRound = true
        while !round.isEmpty && (firstRound || room > 0) {
            let quantum = max(4, room / round.count)
            hungry = []
            for connection in round where !connection.freed {
                let allowance = max(0, min(room, quantum))
                let before = (connection.tcp.timeouts, connection.tcp.tailProbes)
                let segments = connection.tcp.poll(now: now, segmentBudget: allowance)
                connectionPolls += 1
                counters.retransmissionTimeouts += connection.tcp.timeouts - before.0
                counters.tailLossProbes += connection.tcp.tailProbes - before.1
                if !segments.isEmpty { busy = true }
                room = max(0, room - segments.count)
                for segment in segments { send(segment, connection.key, now: now) }
                if connection.isOver { continue }
                if allowance == 0 { starved.append(connection) } else if segments.count >= allowance { hungry.append(connection) }
            }
            firstRound = false
            round = hungry
        }
        // What could not send waits for the next poll, those given nothing first (so the
        // ring's room goes round all of them in turn).
        for connection in starved + hungry { wake(connection) }
        for connection in due { settle(connection, now: now) }
        device.flush()
        return busy
    }

    /// After a connection was polled or used: recounts what it holds, queues its next
    /// deadline, and frees it if it is over and nobody holds it.
    func settle(_ connection: Connection, now: UInt64) {
        guard !connection.freed else { return }
        account(connection)
        if connection.isOver && (connection.applicationClosed || !connection.accepted) {
            free(connection)
            return
        }
        if connection.tcp.state == .timeWait && !connection.queuedInTimeWait {
            connection.queuedInTimeWait = true
            timeWaitQueue.append(connection.key)
            if timeWaitQueue.count > 2 * connections.count + 64 {
                timeWaitQueue.removeAll { connections[$0]?.tcp.state != .timeWait }
            }
        }
        if let deadline = connection.tcp.nextDeadline, connection.queuedDeadline.map({ deadline < $0 }) ?? true {
            connection.queuedDeadline = deadline
            timers.push((deadline, connection))
        }
    }

    /// Puts `connection` on the list the next poll serves.
    func wake(_ connection: Connection) {
        guard !connection.awake else { return }
        connection.awake = true
        awakeConnections.append(connection)
    }

    /// Brings the stack's total of buffered bytes up to date with `connection`.
    func account(_ connection: Connection) {
        let held = connection.tcp.bufferedBytes
        bufferedBytes += held - connection.counted
        connection.counted = held
    }

    /// Forgets `connection` (it is over, or evicted).
    func free(_ connection: Connection) {
        guard !connection.freed, connections[connection.key] === connection else { return }
        connection.freed = true
        connections[connection.key] = nil
        bufferedBytes -= connection.counted
        connection.counted = 0
        connection.tcp.releaseBuffers()
        if let port = connection.listenerPort, !connection.accepted {
            listeners[port]?.pending -= 1
            listeners[port]?.ready.removeAll { $0 == connection.key }
        }
    }

    /// The application changed `connection` (read, wrote, closed): recount and poll it.
    func touched(_ connection: Connection) {
        guard !connection.freed else { return }
        account(connection)
        wake(connection)
    }

    /// Recounts every connection's buffered bytes the slow way (for tests: the running total
    /// must agree).
    var recountedBufferedBytes: Int { connections.values.reduce(0) { $0 + $1.tcp.bufferedBytes } }

    // MARK: Receiving

    func handle(frame bytes: [UInt8], now: UInt64) {
        let frame: EthernetFrame
        do { frame = try EthernetFrame(parsing: bytes) } catch { counters.count(error); return }
        guard frame.destination == macAddress || frame.destination == .broadcast else { counters.notForUs += 1; return }
        switch frame.etherType {
        case EthernetFrame.typeARP:
            do { handle(arp: try ARPPacket(parsing: bytes, frame.payloadRange), now: now) } catch { counters.count(error) }
        case EthernetFrame.typeIPv4:
            do { handle(ip: try IPv4Packet(parsing: bytes, frame.payloadRange), source: frame.source, now: now) } catch { counters.count(error) }
        default:
            counters.unsupported += 1
        }
    }

    func handle(arp: ARPPacket, now: UInt64) {
        let forUs = arp.targetIP == configuration.address
        if forUs || arp.lookupKnown(in: self.arp, now: now) { self.arp.learn(arp.senderIP, arp.senderMAC, now: now) }
        if forUs && arp.operation == .request {
            let reply = ARPPacket(operation: .reply, senderMAC: macAddress, senderIP: configuration.address,
                                  targetMAC: arp.senderMAC, targetIP: arp.senderIP)
            transmit(EthernetFrame.build(destination: arp.senderMAC, source: macAddress, type: EthernetFrame.typeARP, payload: reply.bytes))
        }
        if forUs { flushWaiting(now: now) }
    }

    func handle(ip: IPv4Packet, source mac: MACAddress, now: UInt64) {
        guard ip.destination == configuration.address || ip.destination == .broadcast else { counters.notForUs += 1; return }
        switch ip.protocolNumber {
        case IPv4Packet.protocolICMP:
            do {
                let message = try ICMPMessage(parsing: ip.bytes, ip.payloadRange)
                if message.type == ICMPMessage.echoRequest && ip.destination == configuration.address {
                    send(ip: message.echoReplyBytes(), to: ip.source, protocolNumber: IPv4Packet.protocolICMP, now: now)
                }
            } catch { counters.count(error) }
        case IPv4Packet.protocolTCP:
            do {
                handle(tcp: try TCPSegment(parsing: ip.bytes, ip.payloadRange, source: ip.source, destination: ip.destination),
                       from: ip.source, now: now)
            } catch { counters.count(error) }
        case IPv4Packet.protocolUDP:
            do {
                let datagram = try UDPDatagram(parsing: ip.bytes, ip.payloadRange, source: ip.source, destination: ip.destination)
                guard udpQueues[datagram.destinationPort] != nil else { counters.noSocket += 1; return }
                if udpQueues[datagram.destinationPort]!.count < NetworkStack.udpQueueLimit {
                    udpQueues[datagram.destinationPort]!.append((ip.source, datagram.sourcePort, Array(datagram.payload)))
                } else {
                    counters.udpQueueFull += 1
                }
            } catch { counters.count(error) }
        default:
            counters.unsupported += 1
        }
    }

    func handle(tcp segment: TCPSegment, from remote: IPv4Address, now: UInt64) {
        let key = ConnectionKey(localPort: segment.destinationPort, remoteAddress: remote, remotePort: segment.sourcePort)
        let incoming = TCPConnection.Incoming(segment)
        if let connection = connections[key] {
            let wasEstablished = connection.tcp.state == .established
            if !incoming.payload.isEmpty && !mayBuffer {
                counters.memoryPressure += 1   // unacknowledged: the peer sends it again later
                return
            }
            let dropped = connection.tcp.outOfOrderDropped, fastRetransmits = connection.tcp.fastRetransmits
            connection.tcp.handle(incoming, now: now)
            counters.outOfOrderDropped += connection.tcp.outOfOrderDropped - dropped
            counters.fastRetransmits += connection.tcp.fastRetransmits - fastRetransmits
            touched(connection)
            if !wasEstablished, connection.tcp.state == .established || connection.tcp.state == .closeWait,
               let port = connection.listenerPort, !connection.accepted, !(listeners[port]?.ready.contains(key) ?? true) {
                listeners[port]?.ready.append(key)
                listeners[port]?.arrivals += 1
            }
            return
        }
        if incoming.flags == [.syn], listeners[key.localPort] != nil {
            guard mayBuffer else { counters.memoryPressure += 1; return }
            guard makeRoomForConnection(port: key.localPort) else { return }
            var tcp = TCPConnection(acceptingSYN: incoming, iss: nextISS(now))
            tcp.finTimeout = limits.finTimeout
            tcp.openingRetransmissions = limits.synAckRetries
            let connection = Connection(key: key, tcp: tcp, listenerPort: key.localPort, accepted: false, createdAt: now)
            connections[key] = connection
            listeners[key.localPort]?.pending += 1
            listeners[key.localPort]?.halfOpen.append(key)
            wake(connection)
            return
        }
        counters.noSocket += 1
        // No socket: answer with a reset (RFC 9293 §3.10.7.1), never to a reset.
        guard !incoming.flags.contains(.rst) else { return }
        let reset = incoming.flags.contains(.ack)
            ? TCPConnection.Outgoing(sequence: incoming.acknowledgement, acknowledgement: 0, flags: [.rst], window: 0, mss: nil, payload: [])
            : TCPConnection.Outgoing(sequence: 0, acknowledgement: incoming.sequence &+ UInt32(incoming.sequenceLength), flags: [.rst, .ack], window: 0, mss: nil, payload: [])
        send(reset, key, now: now)
    }

    /// Whether a new connection for `port` may be added: a full backlog gives up its oldest
    /// half-open entry (spoofed SYNs never complete, so a flood only evicts its own; a real
    /// client completes within a round trip), a full table its oldest TIME-WAIT entry.
    /// Connections that completed the handshake are never evicted. Costs no scan of the
    /// table: the listener counts its pending connections and queues its half-open ones by age
    /// (at most 2 × backlog + 16 entries), and the stack queues TIME-WAIT entries as they enter
    /// it (at most 2 × connections + 64).
    func makeRoomForConnection(port: UInt16) -> Bool {
        guard var listener = listeners[port] else { return false }
        if listener.pending >= listener.backlog {
            var victim: Connection? = nil
            while victim == nil && !listener.halfOpen.isEmpty {
                let key = listener.halfOpen.removeFirst()
                if let connection = connections[key], !connection.accepted, connection.tcp.state == .synReceived { victim = connection }
            }
            listeners[port] = listener
            guard let victim else { counters.backlogFull += 1; return false }
            free(victim)
            counters.halfOpenEvicted += 1
            return true
        }
        if listener.halfOpen.count > 2 * listener.backlog + 16 {
            // Forget entries that completed or ended (amortised over the arrivals that made them).
            listener.halfOpen.removeAll { connections[$0].map { $0.accepted || $0.tcp.state != .synReceived } ?? true }
            listeners[port] = listener
        }
        if connections.count >= limits.maximumConnections {
            var victim: Connection? = nil
            while victim == nil && !timeWaitQueue.isEmpty {
                let key = timeWaitQueue.removeFirst()
                if let connection = connections[key], connection.tcp.state == .timeWait,
                   connection.applicationClosed || !connection.accepted { victim = connection }
            }
            guard let victim else { counters.connectionLimit += 1; return false }
            victim.tcp.endTimeWait()
            free(victim)
            counters.timeWaitEvicted += 1
        }
        return true
    }

    /// How many connections are in each state.
    public var connectionStates: [(state: TCPState, count: Int)] {
        var counts: [(state: TCPState, count: Int)] = []
        for connection in connections.values {
            if let index = counts.firstIndex(where: { $0.state == connection.tcp.state }) { counts[index].count += 1 }
            else { counts.append((connection.tcp.state, 1)) }
        }
        return counts
    }

    func nextISS(_ now: UInt64) -> UInt32 {
        // A 4 µs-style clock plus a mixed counter (RFC 6528 asks for a keyed hash as well).
        issSeed = issSeed &* 1_103_515_245 &+ 12345
        return UInt32(truncatingIfNeeded: now &* 250) &+ issSeed
    }

    // MARK: Sending

    /// Sends a TCP segment: when the link address is known, the whole frame
    /// (Ethernet, IPv4 and TCP headers and the payload) is made in one buffer; otherwise the
    /// IP packet waits for ARP like any other.
    func send(_ segment: TCPConnection.Outgoing, _ key: ConnectionKey, now: UInt64) {
        if let mac = linkAddress(key.remoteAddress, now: now) {
            var frame: [UInt8] = []
            frame.reserveCapacity(EthernetFrame.headerLength + 20 + 20 + 40 + segment.payload.count)
            EthernetFrame.appendHeader(to: &frame, destination: mac, source: macAddress, type: EthernetFrame.typeIPv4)
            let ipStart = frame.count
            frame += repeatElement(0, count: 20)
            TCPSegment.append(to: &frame, source: configuration.address, sourcePort: key.localPort, destination: key.remoteAddress,
                              destinationPort: key.remotePort, sequence: segment.sequence, acknowledgement: segment.acknowledgement,
                              flags: segment.flags, window: segment.window, options: segment.options, payload: segment.payload[...])
            identification &+= 1
            IPv4Packet.writeHeader(into: &frame, at: ipStart, source: configuration.address, destination: key.remoteAddress,
                                   protocolNumber: IPv4Packet.protocolTCP, payloadLength: frame.count - ipStart - 20, identification: identification)
            transmit(frame)
            return
        }
        let bytes = TCPSegment.build(source: configuration.address, sourcePort: key.localPort, destination: key.remoteAddress,
                                     destinationPort: key.remotePort, sequence: segment.sequence, acknowledgement: segment.acknowledgement,
                                     flags: segment.flags, window: segment.window, options: segment.options, payload: segment.payload[...])
        send(ip: bytes, to: key.remoteAddress, protocolNumber: IPv4Packet.protocolTCP, now: now)
    }

    func send(ip payload: [UInt8], to destination: IPv4Address, protocolNumber: UInt8, now: UInt64) {
        identification &+= 1
        let packet = IPv4Packet.build(source: configuration.address, destination: destination, protocolNumber: protocolNumber,
                                      payload: payload, identification: identification)
        if let mac = linkAddress(destination, now: now) {
            transmit(EthernetFrame.build(destination: mac, source: macAddress, type: EthernetFrame.typeIPv4, payload: packet))
            return
        }
        guard let hop = configuration.nextHop(destination) else { counters.unresolved += 1; return }
        if waitingForARP.count < NetworkStack.maximumWaitingForARP { waitingForARP.append((hop, packet)) } else { counters.unresolved += 1 }
        if let last = arpRequested[hop], now < last + 1000 { return }
        arpRequested[hop] = now
        let request = ARPPacket(operation: .request, senderMAC: macAddress, senderIP: configuration.address, targetMAC: .zero, targetIP: hop)
        transmit(EthernetFrame.build(destination: .broadcast, source: macAddress, type: EthernetFrame.typeARP, payload: request.bytes))
    }

    /// The hardware address a packet for `destination` goes to now: the broadcast address,
    /// or the next hop's once ARP knows it (nil: no route, or not resolved yet).
    func linkAddress(_ destination: IPv4Address, now: UInt64) -> MACAddress? {
        if destination == .broadcast { return .broadcast }
        guard let hop = configuration.nextHop(destination) else { return nil }
        return arp.lookup(hop, now: now)
    }

    func flushWaiting(now: UInt64) {
        var still: [(nextHop: IPv4Address, packet: [UInt8])] = []
        for waiting in waitingForARP {
            if let mac = arp.lookup(waiting.nextHop, now: now) {
                transmit(EthernetFrame.build(destination: mac, source: macAddress, type: EthernetFrame.typeIPv4, payload: waiting.packet))
            } else {
                still.append(waiting)
            }
        }
        waitingForARP = still
    }

    func transmit(_ frame: [UInt8]) {
        if device.transmit(frame) { counters.framesSent += 1 } else { counters.transmitDropped += 1 }
    }
}

extension ARPPacket {
    /// Whether the sender is already in `cache` (an update to a known mapping is accepted).
    func lookupKnown(in cache: ARPCache, now: UInt64) -> Bool { cache.lookup(senderIP, now: now) != nil }
}

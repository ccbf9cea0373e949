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
    /// Bytes buffered over all connections, as of the last `poll` (plus what arrived since).
    public internal(set) var bufferedBytes = 0
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
        var ready: [ConnectionKey] = []
    }
    var listeners: [UInt16: Listener] = [:]
    var udpQueues: [UInt16: [(from: IPv4Address, port: UInt16, data: [UInt8])]] = [:]
    static let udpQueueLimit = 64
    var nextEphemeralPort: UInt16 = 49152
    var issSeed: UInt32 = 0x6d2b_79f5
    var identification: UInt16 = 1

    public init(device: any NetworkDevice, configuration: InterfaceConfiguration,
                clock: @escaping () -> UInt64, idle: @escaping () -> Void) {
        self.device = device
        self.configuration = configuration
        self.clock = clock
        self.idle = idle
    }

    public var macAddress: MACAddress { device.macAddress }

    /// Live TCP connections (any state but freed).
    public var connectionCount: Int { connections.count }

    // MARK: Driving

    /// Receives and handles waiting frames (at most `budget`), then lets every connection
    /// send what it has and frees finished ones. Returns whether anything happened.
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
        var finished: [Connection] = []
        var buffered = 0
        for connection in connections.values {
            let segments = connection.tcp.poll(now: now)
            buffered += connection.tcp.bufferedBytes
            if !segments.isEmpty { busy = true }
            for segment in segments { send(segment, connection.key, now: now) }
            if connection.isOver && (connection.applicationClosed || !connection.accepted) { finished.append(connection) }
        }
        bufferedBytes = buffered
        for connection in finished {
            connections[connection.key] = nil
            if let port = connection.listenerPort { listeners[port]?.ready.removeAll { $0 == connection.key } }
        }
        device.flush()
        return busy
    }

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
            let (heldBefore, droppedBefore) = (connection.tcp.bufferedBytes, connection.tcp.outOfOrderDropped)
            connection.tcp.handle(incoming, now: now)
            bufferedBytes += connection.tcp.bufferedBytes - heldBefore
            counters.outOfOrderDropped += connection.tcp.outOfOrderDropped - droppedBefore
            if !wasEstablished, connection.tcp.state == .established || connection.tcp.state == .closeWait,
               let port = connection.listenerPort, !connection.accepted, !(listeners[port]?.ready.contains(key) ?? true) {
                listeners[port]?.ready.append(key)
            }
            return
        }
        if incoming.flags == [.syn], let listener = listeners[key.localPort] {
            guard mayBuffer else { counters.memoryPressure += 1; return }
            guard makeRoomForConnection(listener: listener, port: key.localPort) else { return }
            connections[key] = Connection(key: key, tcp: TCPConnection(acceptingSYN: incoming, iss: nextISS(now)),
                                          listenerPort: key.localPort, accepted: false, createdAt: now)
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
    /// Connections that completed the handshake are never evicted.
    func makeRoomForConnection(listener: Listener, port: UInt16) -> Bool {
        var pending = 0
        var oldestHalfOpen: Connection? = nil
        var oldestTimeWait: Connection? = nil
        for connection in connections.values {
            if connection.listenerPort == port && !connection.accepted {
                pending += 1
                if connection.tcp.state == .synReceived, oldestHalfOpen.map({ connection.createdAt < $0.createdAt }) ?? true {
                    oldestHalfOpen = connection
                }
            }
            if connection.tcp.state == .timeWait, connection.applicationClosed || !connection.accepted, oldestTimeWait.map({ connection.tcp.timeWaitEnds < $0.tcp.timeWaitEnds }) ?? true {
                oldestTimeWait = connection
            }
        }
        if pending >= listener.backlog {
            guard let victim = oldestHalfOpen else { counters.backlogFull += 1; return false }
            connections[victim.key] = nil
            counters.halfOpenEvicted += 1
        } else if connections.count >= limits.maximumConnections {
            guard let victim = oldestTimeWait else { counters.connectionLimit += 1; return false }
            connections[victim.key] = nil
            victim.tcp.endTimeWait()
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

    func send(_ segment: TCPConnection.Outgoing, _ key: ConnectionKey, now: UInt64) {
        let bytes = TCPSegment.build(source: configuration.address, sourcePort: key.localPort, destination: key.remoteAddress,
                                     destinationPort: key.remotePort, sequence: segment.sequence, acknowledgement: segment.acknowledgement,
                                     flags: segment.flags, window: segment.window, mss: segment.mss, payload: segment.payload[...])
        send(ip: bytes, to: key.remoteAddress, protocolNumber: IPv4Packet.protocolTCP, now: now)
    }

    func send(ip payload: [UInt8], to destination: IPv4Address, protocolNumber: UInt8, now: UInt64) {
        identification &+= 1
        let packet = IPv4Packet.build(source: configuration.address, destination: destination, protocolNumber: protocolNumber,
                                      payload: payload, identification: identification)
        if destination == .broadcast {
            transmit(EthernetFrame.build(destination: .broadcast, source: macAddress, type: EthernetFrame.typeIPv4, payload: packet))
            return
        }
        guard let hop = configuration.nextHop(destination) else { counters.unresolved += 1; return }
        if let mac = arp.lookup(hop, now: now) {
            transmit(EthernetFrame.build(destination: mac, source: macAddress, type: EthernetFrame.typeIPv4, payload: packet))
            return
        }
        if waitingForARP.count < NetworkStack.maximumWaitingForARP { waitingForARP.append((hop, packet)) } else { counters.unresolved += 1 }
        if let last = arpRequested[hop], now < last + 1000 { return }
        arpRequested[hop] = now
        let request = ARPPacket(operation: .request, senderMAC: macAddress, senderIP: configuration.address, targetMAC: .zero, targetIP: hop)
        transmit(EthernetFrame.build(destination: .broadcast, source: macAddress, type: EthernetFrame.typeARP, payload: request.bytes))
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
        if device.transmit(frame) { counters.framesSent += 1 }
    }
}

extension ARPPacket {
    /// Whether the sender is already in `cache` (an update to a known mapping is accepted).
    func lookupKnown(in cache: ARPCache, now: UInt64) -> Bool { cache.lookup(senderIP, now: now) != nil }
}

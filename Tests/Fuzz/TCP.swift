// libFuzzer target `tcp`: every input is a script of events for one TCPConnection — segments
// from a peer that mostly stays near the connection's sequence numbers (so the input reaches
// recovery, SACK, probes and closing rather than being refused at once) but lies freely:
// acknowledgements of unsent data, SACK blocks anywhere, windows opening and closing, resets,
// FINs — interleaved with the application's sends, reads and close, and polls with little or
// no room in the transmit ring as the clock moves. It checks, after every event, what the
// connection promises: no trap, no more segments than the budget, no payload above the MSS,
// buffers within their capacities, a window above zero once established, and after every
// poll with room no connection left holding unacknowledged data without a timer (a stall).
// Built by Tests/Fuzz/run with Net's sources in the same module; not part of `swift build`.

struct Script {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    mutating func next() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }
    mutating func byte() -> UInt8 { next() ?? 0 }
    mutating func word() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }
    /// A sequence number near `base`: small offsets either side, or anything.
    mutating func near(_ base: UInt32, span: UInt32) -> UInt32 {
        let choice = byte()
        switch choice % 4 {
        case 0: return base
        case 1: return base &+ UInt32(word()) % (span &+ 1)
        case 2: return base &- UInt32(byte())
        default: return UInt32(word()) << 16 | UInt32(word())
        }
    }
}

func check(_ condition: Bool, _ message: StaticString) {
    if !condition { fatalError("\(message)") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var script = Script(bytes: UnsafeBufferPointer(start: data, count: size))
    let peerISS: UInt32 = UInt32(script.word()) << 16 | 0x1234
    var tcp = TCPConnection(acceptingSYN: .init(sequence: peerISS, acknowledgement: 0, flags: [.syn], window: script.word(),
                                                mss: UInt16(script.byte()) * 8, sackPermitted: script.byte() & 1 == 1),
                            iss: 0xFFFF_F000 &+ UInt32(script.byte()))   // near the wrap
    var now: UInt64 = 1_000
    var peerNext = peerISS &+ 1
    let data = [UInt8](repeating: 0x5A, count: 70_000)
    let dataStates: [TCPState] = [.established, .closeWait, .finWait1, .lastAck, .closing]
    while let op = script.next() {
        switch op % 8 {
        case 0, 1:   // a segment from the peer
            let count = Int(script.byte()) * Int(script.byte() % 12)
            let sequence = script.near(peerNext, span: 70_000)
            let acknowledgement = script.near(tcp.sendUnacknowledged, span: UInt32(max(0, SequenceNumber.distance(tcp.sendUnacknowledged, tcp.sendMaximum))) &+ 2)
            var blocks: [TCPOptions.SACKBlock] = []
            for _ in 0..<Int(script.byte() % 5) {
                let left = script.near(tcp.sendUnacknowledged, span: 70_000)
                blocks.append(.init(left: left, right: left &+ UInt32(script.word())))
            }
            var flags: TCPSegment.Flags = script.byte() & 1 == 0 ? [.ack] : [.ack, .psh]
            if op == 1 && script.byte() & 3 == 0 { flags.insert(.fin) }
            let window: UInt16 = script.byte() & 3 == 0 ? 0 : script.word()
            tcp.handle(.init(sequence: sequence, acknowledgement: acknowledgement, flags: flags, window: window,
                             payload: Array(data.prefix(count)), sackPermitted: false, sackBlocks: blocks), now: now)
            if sequence == peerNext { peerNext = peerNext &+ UInt32(count) }
        case 2:
            _ = tcp.send(data.prefix(Int(script.word()))[...])
        case 3:
            _ = tcp.receive(maximum: Int(script.word()))
        case 4:   // time passes, then a poll with some room
            now += UInt64(script.byte()) * UInt64(script.byte() % 16 + 1)
            let budget = script.byte() % 6 == 5 ? Int.max : Int(script.byte() % 5)
            let out = tcp.poll(now: now, segmentBudget: budget)
            check(out.count <= budget, "more segments than the budget")
            check(out.allSatisfy { $0.payload.isEmpty || $0.payload.count + TCPOptions(sackBlocks: $0.sackBlocks).encoded.count <= tcp.peerMSS }, "a payload and its options above the peer's MSS")
            if budget > 0 && dataStates.contains(tcp.state) {
                let holding = !tcp.sendBuffer.isEmpty || tcp.sendUnacknowledged != tcp.sendMaximum
                check(!holding || tcp.nextDeadline != nil, "unacknowledged data and no timer: a stall")
            }
        case 5:
            tcp.handle(.init(sequence: script.near(peerNext, span: 4), acknowledgement: 0, flags: [.rst], window: 0), now: now)
        case 6:
            tcp.close()
        default:
            tcp.discardInput()
        }
        check(tcp.sendBuffer.count <= TCPConnection.sendCapacity, "send buffer above capacity")
        check(tcp.receiveBuffer.count <= TCPConnection.receiveCapacity, "receive buffer above capacity")
        check(tcp.outOfOrder.count <= TCPConnection.maximumOutOfOrderSegments, "out-of-order queue above its bound")
        check(tcp.scoreboard.count <= TCPConnection.maximumScoreboardBlocks, "scoreboard above its bound")
        check(!dataStates.contains(tcp.state) || tcp.congestionWindow > 0, "a synchronized connection with no congestion window")
    }
    return 0
}

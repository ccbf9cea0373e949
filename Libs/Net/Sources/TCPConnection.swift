/// One TCP connection's state machine, as a plain value: segments and the clock go in,
/// segments to send come out. The stack owns the sockets and the wire; this owns the
/// protocol, so it is tested on the host by driving it through every transition.
///
/// Guarantees: data is delivered to `receive` in order, exactly once, however segments are
/// lost, duplicated or reordered (out-of-order data within the window is held, up to the
/// window); buffers never grow past their capacities, and at most
/// ``maximumOutOfOrderSegments`` segments wait out of order; FIN-WAIT-2 lasts at most
/// ``finTimeout`` milliseconds without word from the peer (Linux's `tcp_fin_timeout`), then
/// the connection resets. Every state therefore ends on its own.
///
/// Sending follows Linux's loss recovery, in its RFC form:
/// - congestion control (RFC 5681): an initial window of 10 segments (RFC 6928), slow start
///   counting acknowledged bytes (RFC 3465, L = 2), congestion avoidance; the window is what
///   keeps a burst of parallel flows from overrunning the NIC or the path, and `poll`'s
///   `segmentBudget` is the device's back-pressure (the stack hands out its ring's room), so a
///   full transmit ring holds segments back instead of losing them;
/// - fast retransmit and NewReno fast recovery (RFC 6582) after three duplicate ACKs, or after
///   three segments' worth of SACKed data (RFC 6675's DupThresh), retransmitting only the
///   lost segment, never going back N;
/// - SACK (RFC 2018) both ways: the SYN offers it, the receiver reports its out-of-order
///   blocks (the newest first), and the sender keeps a scoreboard of what the peer holds, so
///   each duplicate ACK in recovery retransmits the next hole rather than waiting one round
///   trip per lost segment;
/// - a tail loss probe (RACK-TLP, RFC 8985 §7): when the last segments of a burst are lost no
///   duplicate ACK can come, so two smoothed RTTs after the last send (at least 10 ms) one
///   segment is sent again (new data if the windows allow, else the last segment), and its
///   ACK starts fast recovery instead of a 200 ms-or-more RTO; RACK's time-based marking of
///   lost segments is not implemented (the scoreboard's holes stand in for it);
/// - RFC 6298 retransmission timeouts (doubling, at most 60 s) with a collapse of the window
///   to one segment, as the last resort; after ``maximumRetransmissions`` the connection
///   resets itself and tells the peer;
/// - the persist timer (RFC 9293 §3.8.6.1): a closed window is probed with one byte, and
///   answered probes are not failures, so a reader may pause as long as the application lets
///   it; the reopened window is used at once.
///
/// No Nagle: the application writes whole responses, so every segment goes out when `poll`
/// runs (as with `TCP_NODELAY`, what servers set). Delayed ACKs as RFC 9293 §3.8.6.3 and
/// Linux have them: data that arrives in order waits up to ``delayedACKTimeout`` for a
/// segment to carry its ACK — the answer to the request it brought, so a request costs one
/// segment back, not two — and is acknowledged at once after two full segments, when it
/// fills a hole or arrives out of order, or with a FIN. A window opened by reading is
/// announced only when it grew by a segment (receiver-side silly window avoidance).
public struct TCPConnection: Sendable {
    /// A segment to send (the stack adds addresses, ports and the checksum).
    public struct Outgoing: Sendable, Equatable {
        public var sequence: UInt32
        public var acknowledgement: UInt32
        public var flags: TCPSegment.Flags
        public var window: UInt16
        public var mss: UInt16?
        public var payload: [UInt8]
        /// SACK-permitted (on a SYN) and SACK blocks (RFC 2018).
        public var sackPermitted = false
        public var sackBlocks: [TCPOptions.SACKBlock] = []

        /// The TCP options this segment carries.
        public var options: TCPOptions { TCPOptions(maximumSegmentSize: mss, sackPermitted: sackPermitted, sackBlocks: sackBlocks) }
    }

    /// A received segment's fields.
    public struct Incoming: Sendable {
        public var sequence: UInt32
        public var acknowledgement: UInt32
        public var flags: TCPSegment.Flags
        public var window: UInt16
        public var mss: UInt16?
        public var payload: [UInt8]
        public var sackPermitted: Bool
        public var sackBlocks: [TCPOptions.SACKBlock]

        public init(sequence: UInt32, acknowledgement: UInt32, flags: TCPSegment.Flags, window: UInt16, mss: UInt16? = nil,
                    payload: [UInt8] = [], sackPermitted: Bool = false, sackBlocks: [TCPOptions.SACKBlock] = []) {
            self.sequence = sequence
            self.acknowledgement = acknowledgement
            self.flags = flags
            self.window = window
            self.mss = mss
            self.payload = payload
            self.sackPermitted = sackPermitted
            self.sackBlocks = sackBlocks
        }

        /// Sequence numbers the segment takes: its data, plus one each for SYN and FIN.
        public var sequenceLength: Int { payload.count + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0) }

        public init(_ segment: TCPSegment) {
            let options = segment.options
            self.init(sequence: segment.sequenceNumber, acknowledgement: segment.acknowledgementNumber, flags: segment.flags,
                      window: segment.window, mss: options.maximumSegmentSize, payload: Array(segment.bytes[segment.payloadRange]),
                      sackPermitted: options.sackPermitted, sackBlocks: options.sackBlocks)
        }
    }

    public static let receiveCapacity = 65535
    public static let sendCapacity = 65536
    public static let localMSS: UInt16 = 1460
    static let initialRTO: UInt64 = 1000
    static let minimumRTO: UInt64 = 200
    static let maximumRTO: UInt64 = 60_000
    static let maximumRetransmissions = 8
    /// SYN and SYN-ACK retransmissions before a half-open connection gives up (about a
    /// minute, as Linux's tcp_synack_retries).
    public static let maximumSYNRetransmissions = 5
    static let timeWaitMilliseconds: UInt64 = 2000
    /// How long FIN-WAIT-2 waits for the peer's FIN by default (Linux's `tcp_fin_timeout`).
    public static let finWait2Milliseconds: UInt64 = 60_000
    /// Out-of-order segments held at most: a peer sending tiny segments into the window's
    /// gaps cannot make the queue's overhead grow with the window.
    public static let maximumOutOfOrderSegments = 16
    /// Duplicate ACKs (or segments' worth of SACKed data) that mean a segment was lost.
    static let duplicateThreshold = 3
    /// Blocks the SACK scoreboard keeps (the peer reports at most 4 at a time).
    static let maximumScoreboardBlocks = 16
    /// The tail loss probe's floor and its allowance for a peer's delayed ACK (RFC 8985 §7.2).
    static let minimumProbeTimeout: UInt64 = 10
    static let delayedACKAllowance: UInt64 = 200
    /// How long the ACK of in-order data waits for a segment to ride on (Linux's minimum
    /// delayed ACK, TCP_DELACK_MIN, is 40 ms; RFC 9293 allows up to 500 ms).
    public static let delayedACKTimeout: UInt64 = 40

    public private(set) var state: TCPState
    // Send side.
    let initialSend: UInt32
    /// Whether the peer has acknowledged our SYN (so sequence numbers after the ISS are data;
    /// SND.UNA == ISS again after 4 GiB says nothing).
    var synAcknowledged = false
    /// Sequence numbers the SYN still takes in front of the data (1 until it is acknowledged).
    var dataStart: Int { synAcknowledged ? 0 : 1 }
    var sendUnacknowledged: UInt32
    var sendNext: UInt32
    /// The highest sequence number sent so far (RFC 9293's SND.MAX): `sendNext` goes back on
    /// a timeout, this never does.
    var sendMaximum: UInt32
    var peerWindow: Int = 0
    var peerMSS = 536
    /// Bytes from `sendUnacknowledged` on: sent but unacknowledged, then not yet sent.
    var sendBuffer: [UInt8] = []
    var closeRequested = false
    var finSequence: UInt32? = nil
    // Receive side.
    var receiveNext: UInt32 = 0
    var receiveBuffer: [UInt8] = []
    var outOfOrder: [(sequence: UInt32, data: [UInt8])] = []
    var finReceived = false
    // Timers (milliseconds).
    var rto = TCPConnection.initialRTO
    /// The RTO from the RTT estimate, before any back-off.
    var baseRTO = TCPConnection.initialRTO
    var smoothedRTT: UInt64? = nil
    var rttVariance: UInt64 = 0
    var retransmitDeadline: UInt64? = nil
    var retransmissions = 0
    var timing: (sequence: UInt32, sentAt: UInt64)? = nil
    var duplicateACKs = 0
    var timeWaitEnds: UInt64 = 0
    var finWait2Ends: UInt64 = 0
    /// How long FIN-WAIT-2 waits for the peer's FIN (the stack sets it from its
    /// ``NetworkLimits/finTimeout``).
    public var finTimeout = TCPConnection.finWait2Milliseconds
    /// SYN or SYN-ACK retransmissions before the opening gives up (the stack sets a passive
    /// open's from its ``NetworkLimits/synAckRetries``).
    public var openingRetransmissions = TCPConnection.maximumSYNRetransmissions
    /// The application will read no more: data that arrives is acknowledged and discarded
    /// (a lingering close, as nginx's: the peer gets our response and its FIN instead of a
    /// reset, and no unread input is held).
    var discardingInput = false
    /// Segments dropped because the out-of-order queue was full.
    public private(set) var outOfOrderDropped = 0
    var ackPending = false
    /// When the ACK of data received in order is due if no segment carries it first (the
    /// delayed ACK); nil while everything received has been acknowledged or an ACK is pending.
    var ackDeadline: UInt64? = nil
    /// Bytes received in order since the last segment sent (an ACK goes at two full segments).
    var unacknowledgedBytes = 0
    /// The right edge of the window last advertised (RCV.NXT + RCV.WND in the last segment sent).
    var advertisedEdge: UInt32 = 0
    var synPending = false
    // Congestion control and loss recovery.
    /// Bytes that may be in flight (0 until the connection is established).
    public private(set) var congestionWindow = 0
    var slowStartThreshold = Int.max
    /// In fast recovery until everything below this is acknowledged (RFC 6582's "recover").
    var recoveryPoint: UInt32? = nil
    /// A segment to retransmit ahead of new data (fast retransmit, a hole, a tail probe).
    var retransmitNext: UInt32? = nil
    /// In recovery, holes below this have been retransmitted.
    var highRetransmitted: UInt32 = 0
    /// Whether both ends offered SACK.
    public private(set) var sackPermitted = false
    /// What the peer reported holding above `sendUnacknowledged`: sorted, disjoint blocks.
    var scoreboard: [TCPOptions.SACKBlock] = []
    var probeDeadline: UInt64? = nil
    /// A tail probe may send one segment past the congestion window.
    var probeAllowance = 0
    /// Where the last data segment sent started (what a tail probe sends again).
    var lastSegmentStart: UInt32 = 0
    /// The out-of-order segment that arrived last (its SACK block is reported first).
    var newestOutOfOrder: UInt32? = nil
    /// The blocks this poll's segments report (computed once per poll).
    var reportedBlocks: [TCPOptions.SACKBlock] = []
    /// Whether this episode's tail probe went out (one per episode: a new cumulative ACK
    /// starts the next).
    var probeSent = false
    /// After a timeout, in loss recovery until everything then sent is acknowledged (no
    /// probes meanwhile).
    var lossRecoveryPoint: UInt32? = nil
    /// When a segment with data or a FIN last went out.
    var lastSendTime: UInt64 = 0
    /// Counters of the recovery mechanisms, for the stack's figures.
    public private(set) var fastRetransmits = 0
    public private(set) var timeouts = 0
    public private(set) var tailProbes = 0

    // MARK: Opening

    /// An active open: the SYN goes out at the next `poll`.
    public init(connectingWithISS iss: UInt32) {
        state = .synSent
        initialSend = iss
        sendUnacknowledged = iss
        sendNext = iss
        sendMaximum = iss
        synPending = true
    }

    /// A passive open from a listener's SYN.
    public init(acceptingSYN syn: Incoming, iss: UInt32) {
        state = .synReceived
        initialSend = iss
        sendUnacknowledged = iss
        sendNext = iss
        sendMaximum = iss
        receiveNext = syn.sequence &+ 1
        peerWindow = Int(syn.window)
        if let mss = syn.mss { peerMSS = max(64, Int(mss)) }
        sackPermitted = syn.sackPermitted
        synPending = true
    }

    // MARK: The application's side

    /// Bytes ready to read.
    public var available: Int { receiveBuffer.count }
    /// Whether the peer has closed its side and everything it sent has been read.
    public var atEndOfStream: Bool { finReceived && receiveBuffer.isEmpty }
    /// Room for `send`.
    public var sendSpace: Int { canSend ? TCPConnection.sendCapacity - sendBuffer.count : 0 }
    var canSend: Bool { !closeRequested && (state == .synSent || state == .synReceived || state == .established || state == .closeWait) }
    /// Whether everything sent has been acknowledged.
    public var allAcknowledged: Bool { sendBuffer.isEmpty && sendUnacknowledged == sendNext }

    /// Queues up to `sendSpace` bytes of `data`; returns how many.
    public mutating func send(_ data: ArraySlice<UInt8>) -> Int {
        let count = min(data.count, sendSpace)
        sendBuffer += data.prefix(count)
        return count
    }

    /// Up to `maximum` received bytes, left to be received.
    public func peek(maximum: Int) -> [UInt8] { Array(receiveBuffer.prefix(max(0, maximum))) }

    /// Changes whenever bytes or the FIN arrive in order, or the peer acknowledges bytes.
    public var progress: UInt64 { UInt64(receiveNext) << 32 | UInt64(sendUnacknowledged) }

    /// Takes up to `maximum` received bytes.
    public mutating func receive(maximum: Int) -> [UInt8] {
        let count = min(maximum, receiveBuffer.count)
        let out = Array(receiveBuffer.prefix(count))
        if count == receiveBuffer.count { receiveBuffer = [] } else { receiveBuffer.removeFirst(count) }
        if count > 0 && windowUpdateIsWorthSending { ackPending = true }
        return out
    }

    /// Stops reading for good: what is buffered is dropped, and what arrives from now on is
    /// acknowledged and discarded.
    public mutating func discardInput() {
        discardingInput = true
        receiveBuffer = []
        outOfOrder = []
    }

    /// Closes the sending side: a FIN follows the queued data.
    public mutating func close() {
        switch state {
        case .synSent: state = .closed
        case .synReceived, .established, .closeWait: closeRequested = true
        default: break
        }
    }

    /// The segment that resets the connection, which is then over.
    public mutating func abort() -> Outgoing? {
        guard !(state == .closed || state == .reset || state == .timeWait || state == .synSent) else { state = .closed; return nil }
        state = .reset
        return Outgoing(sequence: sendNext, acknowledgement: receiveNext, flags: [.rst, .ack], window: 0, mss: nil, payload: [])
    }

    var receiveWindow: Int { max(0, TCPConnection.receiveCapacity - receiveBuffer.count) }

    // MARK: Segments in

    /// Processes a segment from the peer.
    public mutating func handle(_ segment: Incoming, now: UInt64) {
        switch state {
        case .closed, .reset: return
        case .synSent: handleInSynSent(segment, now: now); return
        default: break
        }
        // Acceptability (RFC 9293 §3.10.7.4).
        let length = segment.sequenceLength
        let windowEnd = receiveNext &+ UInt32(max(receiveWindow, 1))
        let acceptable: Bool
        if length == 0 {
            acceptable = SequenceNumber.lessOrEqual(receiveNext, segment.sequence) && SequenceNumber.lessThan(segment.sequence, windowEnd)
                || segment.sequence == receiveNext
        } else {
            let last = segment.sequence &+ UInt32(length - 1)
            acceptable = (SequenceNumber.lessOrEqual(receiveNext, segment.sequence) && SequenceNumber.lessThan(segment.sequence, windowEnd))
                || (SequenceNumber.lessOrEqual(receiveNext, last) && SequenceNumber.lessThan(last, windowEnd))
        }
        if !acceptable {
            if !segment.flags.contains(.rst) { ackPending = true }
            return
        }
        if segment.flags.contains(.rst) {
            // Only an exactly matching reset closes (RFC 5961); others get a challenge ACK.
            if segment.sequence == receiveNext { state = .reset } else { ackPending = true }
            return
        }
        if segment.flags.contains(.syn) {
            if state == .synReceived && segment.sequence &+ 1 == receiveNext { synPending = true; return }  // SYN retransmitted
            ackPending = true   // challenge ACK (RFC 5961 §4)
            return
        }
        guard segment.flags.contains(.ack) else { return }
        processACK(segment, now: now)
        // Data and FIN count only once the handshake is complete (an ACK that did not
        // acknowledge our SYN leaves SYN-RECEIVED as it was).
        if state == .closed || state == .reset || state == .synReceived { return }
        processData(segment, now: now)
    }

    mutating func handleInSynSent(_ segment: Incoming, now: UInt64) {
        let acknowledgesSYN = segment.flags.contains(.ack) && segment.acknowledgement == initialSend &+ 1
        if segment.flags.contains(.rst) {
            if acknowledgesSYN { state = .reset }
            return
        }
        guard segment.flags.contains(.syn), acknowledgesSYN else { return }
        receiveNext = segment.sequence &+ 1
        sendUnacknowledged = segment.acknowledgement
        synAcknowledged = true
        peerWindow = Int(segment.window)
        if let mss = segment.mss { peerMSS = max(64, Int(mss)) }
        sackPermitted = segment.sackPermitted
        sampleRTT(acknowledged: segment.acknowledgement, now: now)
        retransmitDeadline = nil
        retransmissions = 0
        synPending = false
        state = .established
        openCongestionWindow()
        ackPending = true
    }

    /// The initial window (RFC 6928): min(10 MSS, max(2 MSS, 14,600 bytes)).
    mutating func openCongestionWindow() {
        congestionWindow = min(10 * peerMSS, max(2 * peerMSS, 14_600))
    }

    mutating func processACK(_ segment: Incoming, now: UInt64) {
        let ack = segment.acknowledgement
        if SequenceNumber.lessThan(sendMaximum, ack) { ackPending = true; return }   // acknowledges unsent data
        if state == .synReceived {
            guard SequenceNumber.lessThan(sendUnacknowledged, ack) else { return }
            state = .established
            synPending = false
            openCongestionWindow()
        }
        if sackPermitted && !segment.sackBlocks.isEmpty { record(segment.sackBlocks) }
        if SequenceNumber.lessThan(sendUnacknowledged, ack) {
            var acknowledged = SequenceNumber.distance(sendUnacknowledged, ack)
            if !synAcknowledged { acknowledged -= 1; synAcknowledged = true }   // the SYN
            if let fin = finSequence, SequenceNumber.lessThan(fin, ack) { acknowledged -= 1 }   // the FIN
            let removed = min(max(acknowledged, 0), sendBuffer.count)
            if removed == sendBuffer.count { sendBuffer = [] } else { sendBuffer.removeFirst(removed) }
            sampleRTT(acknowledged: ack, now: now)
            sendUnacknowledged = ack
            if SequenceNumber.lessThan(sendNext, ack) { sendNext = ack }   // a late ACK after a go-back
            pruneScoreboard()
            probeSent = false
            if let point = lossRecoveryPoint, SequenceNumber.lessOrEqual(point, ack) { lossRecoveryPoint = nil }
            grow(acknowledged: removed, ack: ack)
            duplicateACKs = 0
            retransmissions = 0
            retransmitDeadline = sendUnacknowledged == sendNext ? nil : now + rto
            armProbe(now)
        } else if ack == sendUnacknowledged && segment.window == 0 && sendUnacknowledged != sendNext {
            // The answer to a zero-window probe: the peer is alive, only not reading. Probing
            // goes on (RFC 9293 §3.8.6.1) without counting as unanswered retransmissions, so
            // a reader that pauses is never given up on (the application bounds how long).
            retransmissions = 0
        } else if ack == sendUnacknowledged && segment.payload.isEmpty && sendUnacknowledged != sendNext
                    && Int(segment.window) == peerWindow && !segment.flags.contains(.fin) {
            duplicateACKs += 1
            if recoveryPoint != nil {
                // Each duplicate means a segment left the network (RFC 6582's inflation); with
                // SACK it also names the next hole to fill.
                congestionWindow += peerMSS
                if sackPermitted && retransmitNext == nil { retransmitNext = nextHole(from: highRetransmitted) }
            } else if duplicateACKs >= TCPConnection.duplicateThreshold || sackedBytes >= TCPConnection.duplicateThreshold * peerMSS
                        || (probeSent && sackPermitted && nextHole(from: sendUnacknowledged) != nil) {
                // Three duplicates, or three segments' worth SACKed, or the tail probe's ACK
                // showing a hole below it (early retransmit: the tail has no more segments to
                // send duplicates).
                enterRecovery()
            }
        }
        if peerWindow == 0 && segment.window > 0 && sendUnacknowledged != sendNext {
            // The window reopened: forget the probes' back-off and send at once.
            rto = baseRTO
            retransmitDeadline = now + rto
        }
        peerWindow = Int(segment.window)
        if let fin = finSequence, SequenceNumber.lessThan(fin, ack) {
            switch state {
            case .finWait1:
                state = .finWait2
                finWait2Ends = now + finTimeout
            case .closing: enterTimeWait(now)
            case .lastAck: state = .closed
            default: break
            }
        }
    }

    /// Fast retransmit (RFC 5681 §3.2) into NewReno recovery (RFC 6582): half the flight
    /// becomes the threshold, the first unacknowledged segment goes again, nothing else does.
    mutating func enterRecovery() {
        let flight = SequenceNumber.distance(sendUnacknowledged, sendNext)
        slowStartThreshold = max(flight / 2, 2 * peerMSS)
        congestionWindow = slowStartThreshold + TCPConnection.duplicateThreshold * peerMSS
        recoveryPoint = sendMaximum
        retransmitNext = sendUnacknowledged
        highRetransmitted = sendUnacknowledged
        probeDeadline = nil
        timing = nil   // Karn: no RTT sample from a retransmitted range
        fastRetransmits += 1
    }

    /// The window after `acknowledged` new bytes: slow start or congestion avoidance, or in
    /// recovery the next hole (a partial ACK) or the end of recovery (a full one).
    mutating func grow(acknowledged: Int, ack: UInt32) {
        let flight = SequenceNumber.distance(sendUnacknowledged, sendNext)
        if let recover = recoveryPoint {
            if SequenceNumber.lessOrEqual(recover, ack) {
                recoveryPoint = nil
                retransmitNext = nil
                congestionWindow = max(min(slowStartThreshold, flight + peerMSS), peerMSS)
            } else {
                congestionWindow = max(congestionWindow - acknowledged, 0) + peerMSS
                if SequenceNumber.lessThan(highRetransmitted, ack) { highRetransmitted = ack }
                retransmitNext = nextHole(from: highRetransmitted)
                    ?? (highRetransmitted == ack ? ack : nil)
            }
        } else if congestionWindow < slowStartThreshold {
            congestionWindow += min(acknowledged, 2 * peerMSS)
        } else if congestionWindow > 0 {
            congestionWindow += max(1, peerMSS * min(acknowledged, congestionWindow) / congestionWindow)
        }
        // More than the peer could ever take (no window scaling) is never useful.
        congestionWindow = min(congestionWindow, 2 * TCPConnection.sendCapacity)
    }

    // MARK: The SACK scoreboard

    /// Adds the peer's blocks: only those within what was sent and above the cumulative ACK
    /// (RFC 2018 §8; anything else is a D-SACK or a lie), merged into sorted, disjoint blocks.
    mutating func record(_ blocks: [TCPOptions.SACKBlock]) {
        for var block in blocks {
            if SequenceNumber.lessThan(block.left, sendUnacknowledged) { block.left = sendUnacknowledged }
            guard SequenceNumber.lessThan(block.left, block.right), SequenceNumber.lessOrEqual(block.right, sendMaximum) else { continue }
            scoreboard.append(block)
        }
        scoreboard = Array(TCPOptions.SACKBlock.merged(scoreboard, from: sendUnacknowledged).prefix(TCPConnection.maximumScoreboardBlocks))
    }

    /// Drops what the cumulative ACK now covers.
    mutating func pruneScoreboard() {
        let base = sendUnacknowledged
        scoreboard.removeAll { SequenceNumber.lessOrEqual($0.right, base) }
        for index in scoreboard.indices where SequenceNumber.lessThan(scoreboard[index].left, base) { scoreboard[index].left = base }
    }

    /// Bytes the peer holds above the cumulative ACK.
    var sackedBytes: Int { scoreboard.reduce(0) { $0 + SequenceNumber.distance($1.left, $1.right) } }

    /// The first byte at or after `start` that the peer has not reported, if some reported
    /// block lies above it (below the highest SACKed byte, a gap is a loss: RFC 6675's IsLost
    /// with a DupThresh of one block).
    func nextHole(from start: UInt32) -> UInt32? {
        var sequence = SequenceNumber.lessThan(start, sendUnacknowledged) ? sendUnacknowledged : start
        for block in scoreboard {
            if SequenceNumber.lessThan(sequence, block.left) { return sequence }
            if SequenceNumber.lessThan(sequence, block.right) { sequence = block.right }
        }
        return nil
    }

    /// Schedules the tail loss probe (RFC 8985 §7.2): two smoothed RTTs from now, more when
    /// only one segment is out (the peer may delay its ACK), never after the RTO.
    mutating func armProbe(_ now: UInt64) {
        guard recoveryPoint == nil, lossRecoveryPoint == nil, !probeSent, sendUnacknowledged != sendNext, peerWindow > 0,
              let smoothed = smoothedRTT else {
            probeDeadline = nil
            return
        }
        var timeout = max(2 * smoothed, TCPConnection.minimumProbeTimeout)
        if SequenceNumber.distance(sendUnacknowledged, sendNext) <= peerMSS {
            timeout = max(timeout, smoothed * 3 / 2 + TCPConnection.delayedACKAllowance)
        }
        // As Linux: a probe due after the RTO goes out in its place (without the RTO's collapse
        // of the window), and the RTO is armed again behind it.
        probeDeadline = retransmitDeadline.map { min($0, now + timeout) } ?? now + timeout
    }

    mutating func processData(_ segment: Incoming, now: UInt64) {
        var sequence = segment.sequence
        var data = segment.payload
        // Drop what was already received.
        if SequenceNumber.lessThan(sequence, receiveNext) {
            let old = SequenceNumber.distance(sequence, receiveNext)
            if old >= data.count {
                data = []
            } else {
                data.removeFirst(old)
            }
            sequence = receiveNext
        }
        if !data.isEmpty && (state == .established || state == .finWait1 || state == .finWait2) && discardingInput {
            if sequence == receiveNext { receiveNext = receiveNext &+ UInt32(data.count) }   // acknowledged, dropped
            ackPending = true
        } else if !data.isEmpty && (state == .established || state == .finWait1 || state == .finWait2) {
            var ackMayWait = false
            if sequence == receiveNext {
                let taken = min(data.count, receiveWindow)
                receiveBuffer += data.prefix(taken)
                receiveNext = receiveNext &+ UInt32(taken)
                let filledAHole = !outOfOrder.isEmpty
                drainOutOfOrder()
                unacknowledgedBytes += taken
                // In order, nothing missing, all of it taken, less than two segments unacknowledged:
                // the ACK may wait for the answer (RFC 9293 §3.8.6.3, RFC 5681 §4.2).
                ackMayWait = !filledAHole && taken == data.count && unacknowledgedBytes < 2 * Int(TCPConnection.localMSS)
            } else if SequenceNumber.distance(receiveNext, sequence) + data.count <= receiveWindow {
                if !outOfOrder.contains(where: { $0.sequence == sequence && $0.data.count >= data.count }) {
                    if outOfOrder.count < TCPConnection.maximumOutOfOrderSegments {
                        outOfOrder.append((sequence, data))
                        newestOutOfOrder = sequence
                    } else {
                        outOfOrderDropped += 1
                    }
                }
            }
            if !ackMayWait {
                ackPending = true
            } else if ackDeadline == nil {
                ackDeadline = now + TCPConnection.delayedACKTimeout
            }
            if state == .finWait2 { finWait2Ends = now + finTimeout }   // the peer is alive
        }
        if segment.flags.contains(.fin) {
            let finAt = segment.sequence &+ UInt32(segment.payload.count)
            if finAt == receiveNext && !finReceived {
                finReceived = true
                receiveNext = receiveNext &+ 1
                switch state {
                case .established, .synReceived: state = .closeWait
                case .finWait1:
                    if let fin = finSequence, SequenceNumber.lessThan(fin, sendUnacknowledged) { enterTimeWait(now) } else { state = .closing }
                case .finWait2: enterTimeWait(now)
                default: break
                }
            }
            ackPending = true
        }
    }

    mutating func drainOutOfOrder() {
        var progressed = true
        while progressed {
            progressed = false
            for (index, piece) in outOfOrder.enumerated() where SequenceNumber.lessOrEqual(piece.sequence, receiveNext) {
                let skip = SequenceNumber.distance(piece.sequence, receiveNext)
                if skip < piece.data.count {
                    let fresh = piece.data.dropFirst(skip).prefix(receiveWindow)
                    receiveBuffer += fresh
                    receiveNext = receiveNext &+ UInt32(fresh.count)
                }
                outOfOrder.remove(at: index)
                progressed = true
                break
            }
        }
    }

    /// Drops every buffer (the stack has let go of the connection; a stale timer entry may
    /// still reach it, and must not keep its memory alive).
    mutating func releaseBuffers() {
        sendBuffer = []
        receiveBuffer = []
        outOfOrder = []
        scoreboard = []
    }

    /// Ends TIME-WAIT early (the stack needs the room; RFC 6191 lets a new SYN do this).
    mutating func endTimeWait() {
        if state == .timeWait { state = .closed }
    }

    mutating func enterTimeWait(_ now: UInt64) {
        state = .timeWait
        timeWaitEnds = now + TCPConnection.timeWaitMilliseconds
        retransmitDeadline = nil
    }

    mutating func sampleRTT(acknowledged ack: UInt32, now: UInt64) {
        guard let timing, SequenceNumber.lessThan(timing.sequence, ack) else { return }
        let sample = now >= timing.sentAt ? now - timing.sentAt : 0
        if let smoothed = smoothedRTT {
            let difference = smoothed > sample ? smoothed - sample : sample - smoothed
            rttVariance = (3 * rttVariance + difference) / 4
            smoothedRTT = (7 * smoothed + sample) / 8
        } else {
            smoothedRTT = sample
            rttVariance = sample / 2
        }
        rto = min(max(smoothedRTT! + max(4 * rttVariance, 10), TCPConnection.minimumRTO), TCPConnection.maximumRTO)
        baseRTO = rto
        self.timing = nil
    }

    // MARK: Segments out

    /// What to send now, at most `segmentBudget` segments (the room in the device's transmit
    /// ring: what does not fit waits for the next poll instead of being lost): a SYN or
    /// SYN-ACK, a retransmission (a timeout, a hole, a tail probe), new data within both the
    /// peer's and the congestion window, a FIN, or an ACK. Also runs the timers.
    public mutating func poll(now: UInt64, segmentBudget: Int = Int.max) -> [Outgoing] {
        if let deadline = ackDeadline, now >= deadline { ackPending = true }
        let out = segments(now: now, segmentBudget: segmentBudget)
        if !out.isEmpty {                               // each carries the same ACK and window
            advertisedEdge = receiveNext &+ UInt32(advertisedWindow)
            ackDeadline = nil
            unacknowledgedBytes = 0
        }
        return out
    }

    /// Whether reading opened the window enough to tell the peer at once (RFC 9293
    /// §3.8.6.2.2, receiver-side silly window avoidance): by at least one segment, or half
    /// the buffer if that is less, beyond the right edge last advertised. A smaller opening
    /// rides on the next segment sent anyway — the response to the request just read — so a
    /// request–response exchange costs no extra window-update segment.
    var windowUpdateIsWorthSending: Bool {
        let edge = receiveNext &+ UInt32(advertisedWindow)
        guard SequenceNumber.lessThan(advertisedEdge, edge) else { return false }
        return SequenceNumber.distance(advertisedEdge, edge) >= min(TCPConnection.receiveCapacity / 2, Int(TCPConnection.localMSS))
    }

    mutating func segments(now: UInt64, segmentBudget: Int) -> [Outgoing] {
        var out: [Outgoing] = []
        if state == .timeWait {
            if now >= timeWaitEnds { state = .closed }
            else if ackPending && segmentBudget > 0 { out.append(segment(sendNext, [.ack])); ackPending = false }
            return out
        }
        guard !(state == .closed || state == .reset) else { return out }
        // Nothing below may send without room; a connection given none is polled again when
        // the ring has room, its timers still due (so none is lost).
        guard segmentBudget > 0 else { return out }
        if state == .finWait2 && now >= finWait2Ends {
            // The peer never finished closing: give up, and tell it (as Linux does).
            state = .reset
            out.append(Outgoing(sequence: sendNext, acknowledgement: receiveNext, flags: [.rst, .ack], window: 0, mss: nil, payload: []))
            return out
        }

        reportedBlocks = receivedBlocks
        if let probe = probeDeadline, now >= probe, recoveryPoint == nil, lossRecoveryPoint == nil,
           (state == .established || state == .closeWait || state == .finWait1 || state == .lastAck || state == .closing) {
            // The tail loss probe, one per episode: a new segment if the peer's window has
            // room for one (past the congestion window), else the last data segment again (with
            // the FIN if it follows); the RTO waits behind it.
            probeDeadline = nil
            probeSent = true
            tailProbes += 1
            let inFlight = SequenceNumber.distance(sendUnacknowledged, sendNext) - dataStart
            let unsent = sendBuffer.count - inFlight
            if unsent > 0 && peerWindow - inFlight >= min(unsent, segmentSize) {
                probeAllowance = max(segmentSize, inFlight + segmentSize - congestionWindow)
            } else if retransmitNext == nil {
                retransmitNext = SequenceNumber.lessThan(lastSegmentStart, sendUnacknowledged) ? sendUnacknowledged : lastSegmentStart
            }
            retransmitDeadline = now + rto
        }

        if let deadline = retransmitDeadline, now >= deadline {
            retransmissions += 1
            let opening = state == .synSent || state == .synReceived
            if retransmissions > (opening ? openingRetransmissions : TCPConnection.maximumRetransmissions) {
                // Given up: tell the peer, so that it does not wait for data that never comes.
                if !opening { out.append(Outgoing(sequence: sendNext, acknowledgement: receiveNext, flags: [.rst, .ack], window: 0, mss: nil, payload: [])) }
                state = .reset
                return out
            }
            rto = min(rto * 2, TCPConnection.maximumRTO)
            if opening { synPending = true }
            if !opening && peerWindow > 0 {
                // A loss the ACK clock could not repair (RFC 5681 §3.1): one segment, then
                // slow start up to half of what was in flight (measured at the first timeout
                // only: a second finds just the resent segment out); a closed window's probes
                // are the persist timer, not a loss, and keep the window.
                if retransmissions == 1 {
                    let flight = SequenceNumber.distance(sendUnacknowledged, sendMaximum)
                    slowStartThreshold = max(flight / 2, 2 * peerMSS)
                }
                congestionWindow = peerMSS
                lossRecoveryPoint = sendMaximum
                timeouts += 1
            }
            recoveryPoint = nil
            retransmitNext = nil
            probeDeadline = nil
            probeSent = false
            scoreboard = []
            sendNext = sendUnacknowledged   // everything unacknowledged goes again, in order
            duplicateACKs = 0
            timing = nil
            retransmitDeadline = nil
        }
        if synPending && (state == .synSent || state == .synReceived) {
            let flags: TCPSegment.Flags = state == .synSent ? [.syn] : [.syn, .ack]
            out.append(Outgoing(sequence: initialSend, acknowledgement: state == .synSent ? 0 : receiveNext, flags: flags,
                                window: advertisedWindow, mss: TCPConnection.localMSS, payload: [],
                                sackPermitted: state == .synSent || sackPermitted))
            sendNext = initialSend &+ 1
            if SequenceNumber.lessThan(sendMaximum, sendNext) { sendMaximum = sendNext }
            synPending = false
            ackPending = false
            if retransmitDeadline == nil { retransmitDeadline = now + rto }
            return out
        }
        guard state != .synSent && state != .synReceived else { return out }

        // A retransmission ahead of new data.
        if let sequence = retransmitNext {
            retransmitNext = nil
            if let again = retransmission(at: sequence, now: now) {
                out.append(again)
                ackPending = false
                timing = nil
                if retransmitDeadline == nil { retransmitDeadline = now + rto }
            }
        }

        // A connection idle for an RTO restarts from the initial window (RFC 5681 §4.1), so
        // a keep-alive response after a pause is not one full-window burst.
        if sendUnacknowledged == sendNext && now >= lastSendTime + rto && congestionWindow > 0 {
            congestionWindow = min(congestionWindow, min(10 * peerMSS, max(2 * peerMSS, 14_600)))
        }
        // New data: from sendNext, within both windows, in segments of at most the peer's MSS
        // less the SACK blocks they carry (RFC 6691).
        var sentNewData = false
        let segmentSize = self.segmentSize
        while out.count < segmentBudget {
            let inFlight = SequenceNumber.distance(sendUnacknowledged, sendNext) - dataStart
            let unsent = sendBuffer.count - inFlight
            guard unsent > 0 else { break }
            let probing = inFlight == 0 && peerWindow == 0 && retransmitDeadline == nil
            let windowLeft = min(peerWindow, congestionWindow + probeAllowance) - inFlight
            guard windowLeft > 0 || probing else { break }
            // Sender-side silly-window avoidance (RFC 9293 §3.8.6.2.1): with data in flight,
            // wait for room for a full segment (or for all that is left).
            if !probing && windowLeft < min(unsent, segmentSize) && inFlight > 0 { break }
            let size = min(unsent, segmentSize, max(windowLeft, 1))
            let payload = Array(sendBuffer[inFlight..<(inFlight + size)])
            var flags: TCPSegment.Flags = [.ack]
            if inFlight + size == sendBuffer.count { flags.insert(.psh) }
            out.append(segment(sendNext, flags, payload: payload))
            if timing == nil && sendNext == sendMaximum { timing = (sendNext, now) }
            lastSegmentStart = sendNext
            lastSendTime = now
            sendNext = sendNext &+ UInt32(size)
            if SequenceNumber.lessThan(sendMaximum, sendNext) { sendMaximum = sendNext }
            if retransmitDeadline == nil { retransmitDeadline = now + rto }
            ackPending = false
            sentNewData = true
            if probing { break }   // a window probe: one byte
        }
        probeAllowance = 0

        // FIN once everything queued has been sent (again after a timeout's go-back).
        let dataEnd = sendUnacknowledged &+ UInt32(dataStart + sendBuffer.count)
        if closeRequested && sendNext == dataEnd && (finSequence == nil || finSequence == sendNext) && out.count < segmentBudget {
            finSequence = sendNext
            out.append(segment(sendNext, [.fin, .ack]))
            if sendBuffer.isEmpty { lastSegmentStart = sendNext }   // else the last data segment (it carries the FIN again)
            lastSendTime = now
            sendNext = sendNext &+ 1
            if SequenceNumber.lessThan(sendMaximum, sendNext) { sendMaximum = sendNext }
            if retransmitDeadline == nil { retransmitDeadline = now + rto }
            ackPending = false
            sentNewData = true
            switch state {
            case .established: state = .finWait1
            case .closeWait: state = .lastAck
            default: break
            }
        }
        if sentNewData && lossRecoveryPoint == nil { armProbe(now) }
        if ackPending && out.count < segmentBudget {
            out.append(segment(sendNext, [.ack]))
            ackPending = false
        }
        return out
    }

    /// The segment that sends `sequence` again: up to one MSS of data, stopping where a block
    /// the peer holds begins, or the FIN; nil if that was acknowledged meanwhile.
    mutating func retransmission(at sequence: UInt32, now: UInt64) -> Outgoing? {
        let offset = SequenceNumber.distance(sendUnacknowledged, sequence) - dataStart
        guard offset >= 0, SequenceNumber.lessThan(sequence, sendMaximum) else { return nil }
        let sent = min(SequenceNumber.distance(sendUnacknowledged, sendMaximum) - dataStart, sendBuffer.count)
        if offset < sent {
            var size = min(segmentSize, sent - offset)
            if let next = scoreboard.first(where: { SequenceNumber.lessThan(sequence, $0.left) }) {
                size = min(size, SequenceNumber.distance(sequence, next.left))
            }
            let end = sequence &+ UInt32(size)
            if SequenceNumber.lessThan(highRetransmitted, end) { highRetransmitted = end }
            if SequenceNumber.lessThan(sendNext, end) { sendNext = end }
            lastSendTime = now
            // The last data segment takes the FIN along if the FIN was sent (so a probe of the
            // tail repairs both).
            let withFIN = finSequence == end && offset + size == sendBuffer.count
            if withFIN && SequenceNumber.lessThan(sendNext, end &+ 1) { sendNext = end &+ 1 }
            return segment(sequence, withFIN ? [.ack, .psh, .fin] : [.ack, .psh], payload: Array(sendBuffer[offset..<(offset + size)]))
        }
        if let fin = finSequence, sequence == fin {
            if SequenceNumber.lessThan(highRetransmitted, fin &+ 1) { highRetransmitted = fin &+ 1 }
            lastSendTime = now
            return segment(fin, [.fin, .ack])
        }
        return nil
    }

    /// A segment at `sequence` acknowledging everything received, advertising our window,
    /// and reporting out-of-order blocks when SACK is on.
    func segment(_ sequence: UInt32, _ flags: TCPSegment.Flags, payload: [UInt8] = []) -> Outgoing {
        Outgoing(sequence: sequence, acknowledgement: receiveNext, flags: flags, window: advertisedWindow, mss: nil, payload: payload,
                 sackBlocks: reportedBlocks)
    }

    /// The largest payload a segment may carry: the peer's MSS less the SACK option this
    /// poll's segments carry.
    var segmentSize: Int { max(1, peerMSS - TCPOptions.sackLength(blocks: reportedBlocks.count)) }

    /// The SACK blocks to report (RFC 2018 §4): the out-of-order data held, merged, the block
    /// with the newest arrival first, at most four.
    var receivedBlocks: [TCPOptions.SACKBlock] {
        guard sackPermitted, !outOfOrder.isEmpty else { return [] }
        var blocks = TCPOptions.SACKBlock.merged(outOfOrder.map { TCPOptions.SACKBlock(left: $0.sequence, right: $0.sequence &+ UInt32($0.data.count)) },
                                                 from: receiveNext)
        if let newest = newestOutOfOrder,
           let index = blocks.firstIndex(where: { SequenceNumber.lessOrEqual($0.left, newest) && SequenceNumber.lessThan(newest, $0.right) }),
           index > 0 {
            blocks.insert(blocks.remove(at: index), at: 0)
        }
        return Array(blocks.prefix(TCPOptions.maximumSACKBlocks))
    }

    /// The receive window as the 16-bit header field carries it (no window scaling).
    var advertisedWindow: UInt16 { UInt16(min(receiveWindow, 65535)) }

    /// When `poll` next has something to do on its own (a retransmission, a tail probe or the
    /// end of TIME-WAIT or FIN-WAIT-2), if ever.
    public var nextDeadline: UInt64? {
        switch state {
        case .timeWait: timeWaitEnds
        case .finWait2: Self.earliest(Self.earliest(retransmitDeadline, ackDeadline), finWait2Ends)
        default: Self.earliest(Self.earliest(probeDeadline, retransmitDeadline), ackDeadline)
        }
    }

    /// The earlier of two deadlines, either of which may be unset.
    static func earliest(_ a: UInt64?, _ b: UInt64?) -> UInt64? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    /// Bytes this connection holds: received and unread, queued to send, out of order.
    public var bufferedBytes: Int { receiveBuffer.count + sendBuffer.count + outOfOrder.reduce(0) { $0 + $1.data.count } }
}

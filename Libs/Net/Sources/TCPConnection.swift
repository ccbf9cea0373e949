/// One TCP connection's state machine, as a plain value: segments and the clock go in,
/// segments to send come out. The stack owns the sockets and the wire; this owns the
/// protocol, so it is tested on the host by driving it through every transition.
///
/// Guarantees: data is delivered to `receive` in order, exactly once, however segments are
/// lost, duplicated or reordered (out-of-order data within the window is held, up to the
/// window); unacknowledged data is retransmitted after the RTO (RFC 6298, doubling on each
/// timeout, at most 60 s) or after three duplicate ACKs; after too many retransmissions the
/// connection resets itself; buffers never grow past their capacities, and at most
/// ``maximumOutOfOrderSegments`` segments wait out of order; FIN-WAIT-2 lasts at most
/// ``finWait2Milliseconds`` without word from the peer (Linux's `tcp_fin_timeout`), then the
/// connection resets. Every state therefore ends on its own.
public struct TCPConnection: Sendable {
    /// A segment to send (the stack adds addresses, ports and the checksum).
    public struct Outgoing: Sendable, Equatable {
        public var sequence: UInt32
        public var acknowledgement: UInt32
        public var flags: TCPSegment.Flags
        public var window: UInt16
        public var mss: UInt16?
        public var payload: [UInt8]
    }

    /// A received segment's fields.
    public struct Incoming: Sendable {
        public var sequence: UInt32
        public var acknowledgement: UInt32
        public var flags: TCPSegment.Flags
        public var window: UInt16
        public var mss: UInt16?
        public var payload: [UInt8]

        public init(sequence: UInt32, acknowledgement: UInt32, flags: TCPSegment.Flags, window: UInt16, mss: UInt16? = nil, payload: [UInt8] = []) {
            self.sequence = sequence
            self.acknowledgement = acknowledgement
            self.flags = flags
            self.window = window
            self.mss = mss
            self.payload = payload
        }

        /// Sequence numbers the segment takes: its data, plus one each for SYN and FIN.
        public var sequenceLength: Int { payload.count + (flags.contains(.syn) ? 1 : 0) + (flags.contains(.fin) ? 1 : 0) }

        public init(_ segment: TCPSegment) {
            self.init(sequence: segment.sequenceNumber, acknowledgement: segment.acknowledgementNumber, flags: segment.flags,
                      window: segment.window, mss: segment.maximumSegmentSize, payload: Array(segment.bytes[segment.payloadRange]))
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
    static let maximumSYNRetransmissions = 5
    static let timeWaitMilliseconds: UInt64 = 2000
    /// How long FIN-WAIT-2 waits for the peer's FIN (Linux's default `tcp_fin_timeout`).
    public static let finWait2Milliseconds: UInt64 = 60_000
    /// Out-of-order segments held at most: a peer sending tiny segments into the window's
    /// gaps cannot make the queue's overhead grow with the window.
    public static let maximumOutOfOrderSegments = 16

    public private(set) var state: TCPState
    // Send side.
    let initialSend: UInt32
    var sendUnacknowledged: UInt32
    var sendNext: UInt32
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
    /// The application will read no more: data that arrives is acknowledged and discarded
    /// (a lingering close, as nginx's: the peer gets our response and its FIN instead of a
    /// reset, and no unread input is held).
    var discardingInput = false
    /// Segments dropped because the out-of-order queue was full.
    public private(set) var outOfOrderDropped = 0
    var ackPending = false
    var synPending = false

    // MARK: Opening

    /// An active open: the SYN goes out at the next `poll`.
    public init(connectingWithISS iss: UInt32) {
        state = .synSent
        initialSend = iss
        sendUnacknowledged = iss
        sendNext = iss
        synPending = true
    }

    /// A passive open from a listener's SYN.
    public init(acceptingSYN syn: Incoming, iss: UInt32) {
        state = .synReceived
        initialSend = iss
        sendUnacknowledged = iss
        sendNext = iss
        receiveNext = syn.sequence &+ 1
        peerWindow = Int(syn.window)
        if let mss = syn.mss { peerMSS = max(64, Int(mss)) }
        synPending = true
    }

    // MARK: The application's side

    /// Bytes ready to read.
    public var available: Int { receiveBuffer.count }
    /// Whether the peer has closed its side and everything it sent has been read.
    public var atEndOfStream: Bool { finReceived && receiveBuffer.isEmpty }
    /// Room for `send`.
    public var sendSpace: Int { canSend ? TCPConnection.sendCapacity - sendBuffer.count : 0 }
    var canSend: Bool { !closeRequested && [.synSent, .synReceived, .established, .closeWait].contains(state) }
    /// Whether everything sent has been acknowledged.
    public var allAcknowledged: Bool { sendBuffer.isEmpty && sendUnacknowledged == sendNext }

    /// Queues up to `sendSpace` bytes of `data`; returns how many.
    public mutating func send(_ data: ArraySlice<UInt8>) -> Int {
        let count = min(data.count, sendSpace)
        sendBuffer += data.prefix(count)
        return count
    }

    /// Takes up to `maximum` received bytes.
    public mutating func receive(maximum: Int) -> [UInt8] {
        let count = min(maximum, receiveBuffer.count)
        let out = Array(receiveBuffer.prefix(count))
        if count == receiveBuffer.count { receiveBuffer = [] } else { receiveBuffer.removeFirst(count) }
        if count > 0 { ackPending = true }   // the window opened
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
        guard ![.closed, .reset, .timeWait, .synSent].contains(state) else { state = .closed; return nil }
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
        if state == .closed || state == .reset { return }
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
        peerWindow = Int(segment.window)
        if let mss = segment.mss { peerMSS = max(64, Int(mss)) }
        sampleRTT(acknowledged: segment.acknowledgement, now: now)
        retransmitDeadline = nil
        retransmissions = 0
        synPending = false
        state = .established
        ackPending = true
    }

    mutating func processACK(_ segment: Incoming, now: UInt64) {
        let ack = segment.acknowledgement
        if SequenceNumber.lessThan(sendNext, ack) { ackPending = true; return }   // acknowledges unsent data
        if state == .synReceived {
            guard SequenceNumber.lessThan(sendUnacknowledged, ack) else { return }
            state = .established
            synPending = false
        }
        if SequenceNumber.lessThan(sendUnacknowledged, ack) {
            var acknowledged = SequenceNumber.distance(sendUnacknowledged, ack)
            if sendUnacknowledged == initialSend { acknowledged -= 1 }   // the SYN
            if let fin = finSequence, SequenceNumber.lessThan(fin, ack) { acknowledged -= 1 }   // the FIN
            let removed = min(max(acknowledged, 0), sendBuffer.count)
            if removed == sendBuffer.count { sendBuffer = [] } else { sendBuffer.removeFirst(removed) }
            sampleRTT(acknowledged: ack, now: now)
            sendUnacknowledged = ack
            duplicateACKs = 0
            retransmissions = 0
            retransmitDeadline = sendUnacknowledged == sendNext ? nil : now + rto
        } else if ack == sendUnacknowledged && segment.window == 0 && sendUnacknowledged != sendNext {
            // The answer to a zero-window probe: the peer is alive, only not reading. Probing
            // goes on (RFC 9293 §3.8.6.1) without counting as unanswered retransmissions, so
            // a reader that pauses is never given up on (the application bounds how long).
            retransmissions = 0
        } else if ack == sendUnacknowledged && segment.payload.isEmpty && sendUnacknowledged != sendNext
                    && Int(segment.window) == peerWindow {
            duplicateACKs += 1
            if duplicateACKs == 3 { sendNext = sendUnacknowledged; timing = nil }   // fast retransmit
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
                finWait2Ends = now + TCPConnection.finWait2Milliseconds
            case .closing: enterTimeWait(now)
            case .lastAck: state = .closed
            default: break
            }
        }
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
        if !data.isEmpty && [.established, .finWait1, .finWait2].contains(state) && discardingInput {
            if sequence == receiveNext { receiveNext = receiveNext &+ UInt32(data.count) }   // acknowledged, dropped
            ackPending = true
        } else if !data.isEmpty && [.established, .finWait1, .finWait2].contains(state) {
            if sequence == receiveNext {
                let taken = min(data.count, receiveWindow)
                receiveBuffer += data.prefix(taken)
                receiveNext = receiveNext &+ UInt32(taken)
                drainOutOfOrder()
            } else if SequenceNumber.distance(receiveNext, sequence) + data.count <= receiveWindow {
                if !outOfOrder.contains(where: { $0.sequence == sequence && $0.data.count >= data.count }) {
                    if outOfOrder.count < TCPConnection.maximumOutOfOrderSegments { outOfOrder.append((sequence, data)) }
                    else { outOfOrderDropped += 1 }
                }
            }
            ackPending = true
            if state == .finWait2 { finWait2Ends = now + TCPConnection.finWait2Milliseconds }   // the peer is alive
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

    /// What to send now: a SYN or SYN-ACK, new data within the peer's window, a FIN, a
    /// retransmission whose timer ran out, or an ACK. Also ends TIME-WAIT.
    public mutating func poll(now: UInt64) -> [Outgoing] {
        var out: [Outgoing] = []
        if state == .timeWait {
            if now >= timeWaitEnds { state = .closed }
            else if ackPending { out.append(segment(sendNext, [.ack])); ackPending = false }
            return out
        }
        guard ![.closed, .reset].contains(state) else { return out }
        if state == .finWait2 && now >= finWait2Ends {
            // The peer never finished closing: give up, and tell it (as Linux does).
            state = .reset
            out.append(Outgoing(sequence: sendNext, acknowledgement: receiveNext, flags: [.rst, .ack], window: 0, mss: nil, payload: []))
            return out
        }

        if let deadline = retransmitDeadline, now >= deadline {
            retransmissions += 1
            let opening = state == .synSent || state == .synReceived
            if retransmissions > (opening ? TCPConnection.maximumSYNRetransmissions : TCPConnection.maximumRetransmissions) {
                // Given up: tell the peer, so that it does not wait for data that never comes.
                if !opening { out.append(Outgoing(sequence: sendNext, acknowledgement: receiveNext, flags: [.rst, .ack], window: 0, mss: nil, payload: [])) }
                state = .reset
                return out
            }
            rto = min(rto * 2, TCPConnection.maximumRTO)
            if state == .synSent || state == .synReceived { synPending = true }
            sendNext = sendUnacknowledged
            if let fin = finSequence, SequenceNumber.lessOrEqual(sendUnacknowledged, fin) { finSequence = nil }
            timing = nil
            retransmitDeadline = nil
        }

        if synPending && (state == .synSent || state == .synReceived) {
            let flags: TCPSegment.Flags = state == .synSent ? [.syn] : [.syn, .ack]
            out.append(Outgoing(sequence: initialSend, acknowledgement: state == .synSent ? 0 : receiveNext, flags: flags,
                                window: advertisedWindow, mss: TCPConnection.localMSS, payload: []))
            sendNext = initialSend &+ 1
            synPending = false
            ackPending = false
            if retransmitDeadline == nil { retransmitDeadline = now + rto }
            return out
        }
        guard state != .synSent && state != .synReceived else { return out }

        // Data: from sendNext, within the peer's window, in segments of at most its MSS.
        let dataStart = sendUnacknowledged == initialSend ? 1 : 0
        while true {
            let inFlight = SequenceNumber.distance(sendUnacknowledged, sendNext) - dataStart
            let unsent = sendBuffer.count - inFlight
            let windowLeft = peerWindow - inFlight
            guard unsent > 0, windowLeft > 0 || (inFlight == 0 && peerWindow == 0 && retransmitDeadline == nil) else { break }
            let size = min(unsent, peerMSS, max(windowLeft, 1))
            let payload = Array(sendBuffer[inFlight..<(inFlight + size)])
            var flags: TCPSegment.Flags = [.ack]
            if inFlight + size == sendBuffer.count { flags.insert(.psh) }
            out.append(segment(sendNext, flags, payload: payload))
            if timing == nil { timing = (sendNext, now) }
            sendNext = sendNext &+ UInt32(size)
            if retransmitDeadline == nil { retransmitDeadline = now + rto }
            ackPending = false
            if windowLeft <= 0 { break }   // a window probe: one byte
        }

        // FIN once everything queued has been sent.
        let inFlight = SequenceNumber.distance(sendUnacknowledged, sendNext) - dataStart
        if closeRequested && finSequence == nil && inFlight == sendBuffer.count {
            finSequence = sendNext
            out.append(segment(sendNext, [.fin, .ack]))
            sendNext = sendNext &+ 1
            if retransmitDeadline == nil { retransmitDeadline = now + rto }
            ackPending = false
            switch state {
            case .established: state = .finWait1
            case .closeWait: state = .lastAck
            default: break
            }
        }
        if ackPending {
            out.append(segment(sendNext, [.ack]))
            ackPending = false
        }
        return out
    }

    /// A segment at `sequence` acknowledging everything received, advertising our window.
    func segment(_ sequence: UInt32, _ flags: TCPSegment.Flags, payload: [UInt8] = []) -> Outgoing {
        Outgoing(sequence: sequence, acknowledgement: receiveNext, flags: flags, window: advertisedWindow, mss: nil, payload: payload)
    }

    /// The receive window as the 16-bit header field carries it (no window scaling).
    var advertisedWindow: UInt16 { UInt16(min(receiveWindow, 65535)) }

    /// When `poll` next has something to do on its own (a retransmission or the end of
    /// TIME-WAIT), if ever.
    public var nextDeadline: UInt64? {
        switch state {
        case .timeWait: timeWaitEnds
        case .finWait2: retransmitDeadline.map { min($0, finWait2Ends) } ?? finWait2Ends
        default: retransmitDeadline
        }
    }

    /// Bytes this connection holds: received and unread, queued to send, out of order.
    public var bufferedBytes: Int { receiveBuffer.count + sendBuffer.count + outOfOrder.reduce(0) { $0 + $1.data.count } }
}

import Net

/// A socket's side towards other hosts: its bytes go through Net's TCP/IP stack (the process's
/// ``LinuxProcess/network``) instead of the loopback buffers.
///
/// Guarantees: Linux's answers over a real connection — a read takes what arrived, `EAGAIN`
/// when nothing has, the end of the stream (0) once the peer closed and everything was read,
/// `ECONNRESET` once after a reset and the end of the stream after that; a write takes what
/// the connection's send buffer and the stack's budget hold, `EAGAIN` when nothing fits yet,
/// `ECONNRESET` once after a reset and `EPIPE` once the sending side is closed; readiness as
/// `tcp_poll` reports it (a reset or refused connection is IN|OUT|ERR|HUP|RDHUP, a half-closed
/// one IN|RDHUP, `shutdown(SHUT_WR)` leaves OUT set). Nothing here waits: the stack moves
/// packets when the mechanism polls it.
extension Socket {
    func receiveRemote(_ stream: TCPStream, maximum: Int, peek: Bool) throws(LinuxError) -> [UInt8] {
        if stream.state == .synSent { throw .tryAgain }
        if !stream.handshakeCompleted && (stream.state == .reset || stream.state == .closed) { throw .notConnected }   // refused
        if readShut { return [] }
        if stream.available > 0 {
            return peek ? stream.peek(maximum: maximum) : (stream.tryRead(maximum: maximum) ?? [])
        }
        if stream.state == .reset && !resetReported {
            resetReported = true
            throw .connectionReset
        }
        if stream.peerClosed || stream.state == .reset || stream.state == .closed { return [] }
        throw .tryAgain
    }

    func sendRemote(_ stream: TCPStream, _ bytes: ArraySlice<UInt8>) throws(LinuxError) -> Int {
        if stream.state == .reset && !resetReported {
            resetReported = true
            throw .connectionReset
        }
        guard !writeShut, stream.canSend else { throw .brokenPipe }
        guard !bytes.isEmpty else { return 0 }
        let taken = stream.tryWrite(bytes)
        guard taken > 0 else { throw .tryAgain }
        return taken
    }

    /// A connection that ended (reset, refused): readable (the end), writable (the error), hung up.
    static let endedEvents = EventPoll.input | EventPoll.output | EventPoll.hangUp | EventPoll.readHangUp

    /// What a connection over the network is ready for.
    func remoteReadiness(_ stream: TCPStream) -> UInt32 {
        switch stream.state {
        case .synSent: return 0
        case .reset: return Self.endedEvents | (resetReported ? 0 : EventPoll.error)
        case .closed where !stream.peerClosed: return Self.endedEvents
        default: break
        }
        var events: UInt32 = 0
        if stream.available > 0 || stream.peerClosed || readShut { events |= EventPoll.input }
        if stream.peerClosed { events |= EventPoll.readHangUp }
        if writeShut || !stream.canSend || stream.writableSpace > 0 { events |= EventPoll.output }
        if stream.peerClosed && (writeShut || !stream.canSend) { events |= EventPoll.hangUp }
        return events
    }

    /// Moves datagrams that arrived at the stack's UDP port into the socket's queue (bounded
    /// as the loopback's are; the stack's own queue is bounded too).
    func pullDatagrams() {
        guard let remoteDatagrams else { return }
        while let datagram = remoteDatagrams.tryReceive() {
            deliver(datagram.data, from: .inet(address: datagram.from.value, port: datagram.port))
        }
    }

    /// Lets go of the stack's listener, connection and UDP port: a connection is closed (its
    /// FIN follows the queued bytes), or reset when `SO_LINGER` asks for a zero linger time.
    func closeRemote() {
        if let remoteStream {
            let linger = options[1 << 32 | 13]   // SOL_SOCKET, SO_LINGER: struct linger { int l_onoff; int l_linger; }
            if let linger, linger.count >= 8, LittleEndian.word32(linger, at: 0) != 0, LittleEndian.word32(linger, at: 4) == 0 {
                remoteStream.abort()
            } else {
                remoteStream.close()
            }
        }
        remoteListener?.close()
        remoteDatagrams?.close()
        remoteStream = nil
        remoteListener = nil
        remoteDatagrams = nil
    }
}

/// The states of a TCP connection (RFC 9293 §3.3.2). LISTEN belongs to ``TCPListener``.
public enum TCPState: Sendable, Equatable {
    case synSent, synReceived, established, finWait1, finWait2, closeWait, closing, lastAck, timeWait
    /// Closed normally, or never opened.
    case closed
    /// Ended by a reset or by giving up on retransmissions.
    case reset
}

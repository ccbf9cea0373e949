/// The states of a TCP connection (RFC 9293 §3.3.2). LISTEN belongs to ``TCPListener``.
public enum TCPState: Sendable, Equatable, CustomStringConvertible {
    case synSent, synReceived, established, finWait1, finWait2, closeWait, closing, lastAck, timeWait
    /// Closed normally, or never opened.
    case closed
    /// Ended by a reset or by giving up on retransmissions.
    case reset

    /// The RFC's name for the state (Embedded Swift cannot print enum cases by reflection).
    public var description: String {
        switch self {
        case .synSent: "SYN-SENT"
        case .synReceived: "SYN-RECEIVED"
        case .established: "ESTABLISHED"
        case .finWait1: "FIN-WAIT-1"
        case .finWait2: "FIN-WAIT-2"
        case .closeWait: "CLOSE-WAIT"
        case .closing: "CLOSING"
        case .lastAck: "LAST-ACK"
        case .timeWait: "TIME-WAIT"
        case .closed: "CLOSED"
        case .reset: "RESET"
        }
    }
}

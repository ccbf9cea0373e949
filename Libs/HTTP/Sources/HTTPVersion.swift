/// The protocol versions this server speaks: HTTP/1.0 and HTTP/1.1 (RFC 9112 §2.3).
public enum HTTPVersion: Equatable, Sendable {
    case http10, http11

    /// Whether a connection persists after a response unless a field says otherwise.
    public var persistsByDefault: Bool { self == .http11 }
}

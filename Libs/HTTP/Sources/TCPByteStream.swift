import Net

/// Net's TCP as HTTP's transport: a stream is a ``ByteStream``, a listener a
/// ``StreamListener``.
extension TCPStream: ByteStream {
    /// Whether the connection can still carry bytes: not reset and not fully closed.
    public var isOpen: Bool { state != .reset && state != .closed }
}

extension TCPListener: StreamListener {}

/// What an HTTP connection needs from its transport: non-blocking reads and writes, and the
/// two ways to end. A TCP stream is one; host tests use an in-memory one.
public protocol ByteStream {
    /// Up to `maximum` bytes if any are ready; [] if none are yet; nil once the peer has
    /// closed its side (or the connection failed) and everything was read.
    func tryRead(maximum: Int) -> [UInt8]?
    /// Queues what fits of `bytes` now; returns how many were taken.
    func tryWrite(_ bytes: ArraySlice<UInt8>) -> Int
    /// Closes gracefully once queued bytes are sent.
    func close()
    /// Ends at once (a reset).
    func abort()
    /// Whether the connection can still carry bytes (not reset or fully closed).
    var isOpen: Bool { get }
}

/// Where connections come from.
public protocol StreamListener {
    associatedtype Stream: ByteStream
    /// A newly established connection, if one is waiting.
    func tryAccept() -> Stream?
}

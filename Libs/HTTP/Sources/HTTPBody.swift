/// A response body: bytes the handler already has, or `count` bytes made piece by piece as
/// the connection can send them, so a large response never sits in memory whole.
public enum HTTPBody: Sendable {
    case bytes([UInt8])
    /// `produce(offset, count)` returns exactly `count` bytes starting at `offset`.
    case generated(count: Int, produce: @Sendable (_ offset: Int, _ count: Int) -> [UInt8])

    public static var empty: HTTPBody { .bytes([]) }

    /// The body's length (its Content-Length).
    public var count: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .generated(let count, _): max(0, count)
        }
    }

    /// `count` bytes from `offset` (clamped to the body).
    func piece(at offset: Int, count: Int) -> [UInt8] {
        let end = min(self.count, offset + count)
        guard offset < end else { return [] }
        switch self {
        case .bytes(let bytes): return Array(bytes[offset..<end])
        case .generated(_, let produce):
            let piece = produce(offset, end - offset)
            // A producer that breaks its contract cannot make the framing lie.
            if piece.count == end - offset { return piece }
            return Array(piece.prefix(end - offset)) + [UInt8](repeating: 0, count: max(0, end - offset - piece.count))
        }
    }
}

/// Why a received frame was dropped. Every parser checks lengths (and checksums) before it
/// reads a field, and reports the first problem it finds.
public enum WireError: Error, Equatable, Sendable {
    /// Shorter than its header or than a length field claims.
    case truncated
    /// A length field is inconsistent (smaller than the header, say).
    case badLength
    /// The checksum does not verify.
    case badChecksum
    /// A version or type this stack does not speak.
    case unsupported
    /// An IPv4 fragment (this stack does not reassemble).
    case fragment
}

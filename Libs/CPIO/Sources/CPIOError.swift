/// Why bytes are not a newc cpio archive; each case names the offset of the header at fault.
public enum CPIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `070701` (or `070702`) magic where a header should start.
    case badMagic(offset: Int)
    /// A header field that is not eight hexadecimal digits, or a name size of 0 or above the
    /// limit, or a name without its terminating NUL.
    case badHeader(offset: Int)
    /// A header, name or file runs past the end of the bytes.
    case truncated(offset: Int)
    /// More members than ``CPIOReader/maximumMembers``.
    case tooManyMembers
    /// The bytes end without the `TRAILER!!!` member.
    case noTrailer

    public var description: String {
        switch self {
        case .badMagic(let offset): "no cpio newc magic (070701) at offset \(offset)"
        case .badHeader(let offset): "a malformed cpio header at offset \(offset)"
        case .truncated(let offset): "the cpio member at offset \(offset) runs past the end"
        case .tooManyMembers: "more cpio members than allowed (\(CPIOReader.maximumMembers))"
        case .noTrailer: "the cpio archive has no TRAILER!!! member"
        }
    }
}

/// A complete, validated request as the handler sees it: the body is already framed and
/// decoded, so it can never be mistaken for a further request.
public struct HTTPRequest: Sendable, Equatable {
    public let method: HTTPMethod
    /// The request target as sent (origin form, or the path of an absolute form).
    public let target: [UInt8]
    public let version: HTTPVersion
    public let headers: HTTPHeaderFields
    public let body: [UInt8]
    /// Whether the connection persists after the response (RFC 9112 §9.3).
    public let keepAlive: Bool

    /// The target's path: everything before `?`.
    public var path: String {
        String(decoding: target.split(separator: 0x3F, maxSplits: 1, omittingEmptySubsequences: false).first ?? [], as: UTF8.self)
    }

    /// The target's query: everything after the first `?` (empty if none).
    public var query: String {
        let parts = target.split(separator: 0x3F, maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count > 1 ? String(decoding: parts[1], as: UTF8.self) : ""
    }
}

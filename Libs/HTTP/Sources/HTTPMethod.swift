/// A request method (RFC 9110 §9): the registered ones are cases; any other token is
/// `.other` (methods are case-sensitive, so `get` is not `GET`).
public enum HTTPMethod: Equatable, Sendable {
    case get, head, post, put, delete, connect, options, trace, patch
    case other([UInt8])

    /// The method named by `token` (already checked to be a token).
    init(token: ArraySlice<UInt8>) {
        switch Array(token) {
        case HTTPMethod.names[0]: self = .get
        case HTTPMethod.names[1]: self = .head
        case HTTPMethod.names[2]: self = .post
        case HTTPMethod.names[3]: self = .put
        case HTTPMethod.names[4]: self = .delete
        case HTTPMethod.names[5]: self = .connect
        case HTTPMethod.names[6]: self = .options
        case HTTPMethod.names[7]: self = .trace
        case HTTPMethod.names[8]: self = .patch
        default: self = .other(Array(token))
        }
    }

    static let names: [[UInt8]] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"].map { Array($0.utf8) }

    /// Whether the method is one this server knows (an unknown one gets 501, RFC 9110 §9.1).
    public var isRegistered: Bool {
        if case .other = self { return false }
        return true
    }

    /// The method's name as sent.
    public var name: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .connect: "CONNECT"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .patch: "PATCH"
        case .other(let bytes): String(decoding: bytes, as: UTF8.self)
        }
    }
}

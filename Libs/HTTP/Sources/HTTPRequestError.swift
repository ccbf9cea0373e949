/// Why a request was refused: each case answers with the status the RFCs give for it, after
/// which the connection closes (the framing of what follows cannot be trusted).
public enum HTTPRequestError: Error, Equatable, Sendable {
    /// The request line is not `method SP target SP HTTP/x.y` (RFC 9112 §3).
    case malformedRequestLine
    /// A request target with characters no target may hold, or the wrong form for its method.
    case malformedTarget
    /// A version other than HTTP/1.0 and HTTP/1.1.
    case unsupportedVersion
    /// The request line is longer than the limit.
    case requestLineTooLong
    /// The header is larger than the limit, or has too many fields.
    case headerTooLarge
    /// A field line that is not `name: value` with a token name and valid value characters,
    /// including whitespace before the colon and obsolete line folding (RFC 9112 §5).
    case malformedField
    /// A line not ended by CRLF (a bare CR or LF).
    case bareLineBreak
    /// HTTP/1.1 without exactly one Host field (RFC 9112 §3.2).
    case badHost
    /// A Content-Length that is not a number, or several that differ (RFC 9112 §6.3).
    case badContentLength
    /// Transfer-Encoding together with Content-Length, in an HTTP/1.0 request, or without
    /// chunked as its final coding (RFC 9112 §6.1, §6.3).
    case badTransferEncoding
    /// A transfer coding this server does not decode (gzip, …).
    case unsupportedTransferCoding
    /// A chunked body that does not follow the chunked grammar (RFC 9112 §7.1).
    case malformedChunk
    /// A body larger than the limit.
    case bodyTooLarge
    /// An Expect field other than 100-continue (RFC 9110 §10.1.1).
    case unsupportedExpectation
    /// A method this server does not know.
    case unknownMethod
    /// The header or body did not arrive in time.
    case timedOut
    /// The server's input budget is spent.
    case overloaded

    /// The status to answer with.
    public var status: HTTPStatus {
        switch self {
        case .malformedRequestLine, .malformedTarget, .malformedField, .bareLineBreak, .badHost, .badContentLength,
             .badTransferEncoding, .malformedChunk: .badRequest
        case .unsupportedVersion: .httpVersionNotSupported
        case .requestLineTooLong: .uriTooLong
        case .headerTooLarge: .requestHeaderFieldsTooLarge
        case .unsupportedTransferCoding, .unknownMethod: .notImplemented
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedExpectation: .expectationFailed
        case .timedOut: .requestTimeout
        case .overloaded: .serviceUnavailable
        }
    }
}

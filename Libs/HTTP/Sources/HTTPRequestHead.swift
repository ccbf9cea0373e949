/// A request's line and header fields, validated, with the body's framing decided by the
/// rules of RFC 9112 §6.3 — where the message is ambiguous (both framings, conflicting
/// lengths, an unknown coding) it is an error, never a guess.
struct HTTPRequestHead: Sendable, Equatable {
    /// How the body is delimited.
    enum Framing: Sendable, Equatable {
        case none
        case length(Int)
        case chunked
    }

    let method: HTTPMethod
    let target: [UInt8]
    let version: HTTPVersion
    let headers: HTTPHeaderFields
    let framing: Framing
    let keepAlive: Bool
    /// The client waits for `100 Continue` before sending the body.
    let expectsContinue: Bool

    static let http10 = Array("HTTP/1.0".utf8)
    static let http11 = Array("HTTP/1.1".utf8)
    static let chunked = Array("chunked".utf8)
    static let close = Array("close".utf8)
    static let keepAliveToken = Array("keep-alive".utf8)
    static let continueExpectation = Array("100-continue".utf8)
    static let httpScheme = Array("http://".utf8)
    static let httpsScheme = Array("https://".utf8)

    /// Parses `lines`: the head's bytes, each line (request line, then field lines) ended by
    /// CRLF, the empty line that ends the head excluded. Bare line breaks were refused by the
    /// reader already; they are refused here too.
    init(parsing head: ArraySlice<UInt8>, limits: HTTPLimits) throws(HTTPRequestError) {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            let byte = head[index]
            if byte == ASCII.cr {
                guard index + 1 < head.endIndex, head[index + 1] == ASCII.lf else { throw .bareLineBreak }
                lines.append(head[lineStart..<index])
                index += 2
                lineStart = index
            } else if byte == ASCII.lf {
                throw .bareLineBreak
            } else {
                index += 1
            }
        }
        guard lineStart == head.endIndex, let requestLine = lines.first else { throw .malformedRequestLine }
        guard lines.count - 1 <= limits.maximumHeaderFields else { throw .headerTooLarge }

        // Request line: method SP request-target SP HTTP-version (RFC 9112 §3).
        let parts = requestLine.split(separator: ASCII.space, maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(ASCII.isTokenCharacter) else { throw .malformedRequestLine }
        guard !parts[1].isEmpty, parts[1].allSatisfy(ASCII.isVisible) else { throw .malformedTarget }
        version = try HTTPRequestHead.version(parts[2])
        method = HTTPMethod(token: parts[0])

        var headers = HTTPHeaderFields()
        for line in lines.dropFirst() {
            guard let first = line.first, !ASCII.isWhitespace(first) else { throw .malformedField }   // obs-fold, or empty
            guard let colon = line.firstIndex(of: ASCII.colon) else { throw .malformedField }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(ASCII.isTokenCharacter) else { throw .malformedField }   // no space before ':'
            let value = ASCII.trimmed(line[(colon + 1)...])
            guard value.allSatisfy(ASCII.isFieldValueCharacter) else { throw .malformedField }
            headers.append(name: name, value: value)
        }
        self.headers = headers
        guard method.isRegistered else { throw .unknownMethod }
        target = try HTTPRequestHead.target(parts[1], method: method)

        // Host: exactly one in HTTP/1.1, at most one in HTTP/1.0 (RFC 9112 §3.2).
        let hosts = headers.values("host").count
        guard hosts == 1 || (hosts == 0 && version == .http10) else { throw .badHost }

        framing = try HTTPRequestHead.framing(headers, version: version, limits: limits)

        let connection = headers.listElements("connection")
        let close = connection.contains(HTTPRequestHead.close)
        keepAlive = !close && (version.persistsByDefault || connection.contains(HTTPRequestHead.keepAliveToken))

        // Expect (RFC 9110 §10.1.1): only 100-continue is known; HTTP/1.0 ignores it.
        let expectations = headers.listElements("expect")
        if version == .http11 && !expectations.isEmpty {
            guard expectations.allSatisfy({ $0 == HTTPRequestHead.continueExpectation }) else { throw .unsupportedExpectation }
            expectsContinue = framing != .none && framing != .length(0)
        } else {
            expectsContinue = false
        }
    }

    static func version(_ bytes: ArraySlice<UInt8>) throws(HTTPRequestError) -> HTTPVersion {
        if bytes.elementsEqual(http11) { return .http11 }
        if bytes.elementsEqual(http10) { return .http10 }
        // HTTP-version = "HTTP" "/" DIGIT "." DIGIT: well formed but not ours is 505.
        let array = Array(bytes)
        if array.count == 8, array.starts(with: Array("HTTP/".utf8)), (0x30...0x39).contains(array[5]), array[6] == 0x2E,
           (0x30...0x39).contains(array[7]) {
            throw .unsupportedVersion
        }
        throw .malformedRequestLine
    }

    /// The target as the handler sees it: an origin form as sent, the path of an absolute
    /// form, `*` for OPTIONS, an authority for CONNECT (RFC 9112 §3.2).
    static func target(_ bytes: ArraySlice<UInt8>, method: HTTPMethod) throws(HTTPRequestError) -> [UInt8] {
        if bytes.first == 0x2F { return Array(bytes) }
        if method == .options && bytes.elementsEqual([0x2A]) { return [0x2A] }
        if method == .connect { return Array(bytes) }
        let lowered = bytes.prefix(8).map(ASCII.lowercased)
        for scheme in [httpScheme, httpsScheme] where lowered.starts(with: scheme) {
            let authorityAndPath = bytes.dropFirst(scheme.count)
            guard let authorityEnd = authorityAndPath.firstIndex(where: { $0 == 0x2F || $0 == 0x3F }) else {
                guard !authorityAndPath.isEmpty else { throw .malformedTarget }
                return [0x2F]
            }
            guard authorityEnd > authorityAndPath.startIndex else { throw .malformedTarget }
            let rest = authorityAndPath[authorityEnd...]
            return rest.first == 0x2F ? Array(rest) : [0x2F] + Array(rest)
        }
        throw .malformedTarget
    }

    /// The body's framing (RFC 9112 §6.1, §6.3), refusing every ambiguous case.
    static func framing(_ headers: HTTPHeaderFields, version: HTTPVersion, limits: HTTPLimits) throws(HTTPRequestError) -> Framing {
        let encodings = headers.values("transfer-encoding")
        let lengths = headers.values("content-length")
        if !encodings.isEmpty {
            // Both framings, or chunked in HTTP/1.0: a smuggling vector, refused.
            guard version == .http11, lengths.isEmpty else { throw .badTransferEncoding }
            let codings = headers.listElements("transfer-encoding").map { coding in
                Array(ASCII.trimmed(coding.split(separator: ASCII.semicolon, maxSplits: 1, omittingEmptySubsequences: false).first ?? []))
            }
            guard let last = codings.last, last == chunked else { throw .badTransferEncoding }
            guard codings.filter({ $0 == chunked }).count == 1 else { throw .badTransferEncoding }
            guard codings.count == 1 else { throw .unsupportedTransferCoding }
            return .chunked
        }
        guard !lengths.isEmpty else { return .none }
        var length: Int? = nil
        for value in lengths {
            let elements = value.split(separator: ASCII.comma, omittingEmptySubsequences: false).map { ASCII.trimmed($0) }
            for element in elements {
                guard !element.isEmpty, element.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw .badContentLength }
                guard let number = ASCII.decimal(element, maximum: limits.maximumBodyBytes) else { throw .bodyTooLarge }
                if let length, length != number { throw .badContentLength }
                length = number
            }
        }
        guard let length else { throw .badContentLength }
        return .length(length)
    }
}

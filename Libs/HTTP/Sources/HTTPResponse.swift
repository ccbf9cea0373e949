/// What a handler answers: a status, a content type, extra fields, and a body whose length
/// the writer announces in Content-Length.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var contentType: String
    /// Further fields, written as given (names and values must be valid field text).
    public var fields: [(name: String, value: String)]
    public var body: HTTPBody

    public init(status: HTTPStatus, contentType: String = "text/plain", fields: [(name: String, value: String)] = [], body: HTTPBody) {
        self.status = status
        self.contentType = contentType
        self.fields = fields
        self.body = body
    }

    /// A short plain-text response: `text` and a newline.
    public static func text(_ status: HTTPStatus, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, body: .bytes(Array((text + "\n").utf8)))
    }

    /// The response to a refused request.
    public static func error(_ error: HTTPRequestError) -> HTTPResponse {
        text(error.status, error.status.reason.asciiLowercased())
    }
}

extension String {
    /// ASCII lower case, without Unicode tables.
    func asciiLowercased() -> String { String(decoding: utf8.map(ASCII.lowercased), as: UTF8.self) }
}

/// Decodes a chunked body (RFC 9112 §7.1) as its bytes arrive, in any split: chunk sizes are
/// parsed with overflow checks against the body limit, extensions and trailer fields are
/// bounded and discarded, and every deviation from the grammar is an error.
struct ChunkedBodyDecoder: Sendable, Equatable {
    enum State: Sendable, Equatable {
        case size(digits: Int, value: Int)
        /// Whitespace after the size: only more of it, `;` or the line's end may follow.
        case sizeWhitespace
        case extensionPart(length: Int)
        case sizeLineFeed
        case data(remaining: Int)
        case dataCarriageReturn
        case dataLineFeed
        case trailerLineStart
        case trailerName
        case trailerValue
        case trailerLineFeed
        case finalLineFeed
        case done
    }

    static let maximumSizeDigits = 16
    static let maximumExtension = 1024

    var state = State.size(digits: 0, value: 0)
    var body: [UInt8] = []
    var trailerBytes = 0
    let maximumBody: Int
    let maximumTrailer: Int

    init(limits: HTTPLimits) {
        maximumBody = limits.maximumBodyBytes
        maximumTrailer = limits.maximumHeaderBytes
    }

    var isDone: Bool { state == .done }

    /// Consumes bytes from `input` until the body ends or the input runs out; returns how
    /// many were consumed.
    mutating func consume(_ input: ArraySlice<UInt8>) throws(HTTPRequestError) -> Int {
        var index = input.startIndex
        while index < input.endIndex && state != .done {
            let byte = input[index]
            switch state {
            case .size(let digits, let value):
                if let digit = ASCII.hexDigit(byte) {
                    guard digits < ChunkedBodyDecoder.maximumSizeDigits else { throw .bodyTooLarge }
                    let room = maximumBody - body.count
                    guard value <= room / 16, value * 16 <= room - digit else { throw .bodyTooLarge }   // no overflow
                    state = .size(digits: digits + 1, value: value * 16 + digit)
                } else {
                    guard digits > 0 else { throw .malformedChunk }
                    if byte == ASCII.cr { state = .sizeLineFeed }
                    else if byte == ASCII.semicolon { state = .extensionPart(length: 1) }
                    else if ASCII.isWhitespace(byte) { state = .sizeWhitespace }
                    else { throw .malformedChunk }
                    pendingSize = value
                }
            case .sizeWhitespace:
                // BWS before `;` (RFC 9112 §7.1.1): `1 2` is not a size, whatever a proxy thinks.
                if byte == ASCII.cr { state = .sizeLineFeed }
                else if byte == ASCII.semicolon { state = .extensionPart(length: 1) }
                else if !ASCII.isWhitespace(byte) { throw .malformedChunk }
            case .extensionPart(let length):
                if byte == ASCII.cr { state = .sizeLineFeed }
                else {
                    guard ASCII.isFieldValueCharacter(byte), length < ChunkedBodyDecoder.maximumExtension else { throw .malformedChunk }
                    state = .extensionPart(length: length + 1)
                }
            case .sizeLineFeed:
                guard byte == ASCII.lf else { throw .malformedChunk }
                state = pendingSize == 0 ? .trailerLineStart : .data(remaining: pendingSize)
            case .data(let remaining):
                let take = min(remaining, input.endIndex - index)
                body += input[index..<(index + take)]
                index += take
                state = remaining == take ? .dataCarriageReturn : .data(remaining: remaining - take)
                continue
            case .dataCarriageReturn:
                guard byte == ASCII.cr else { throw .malformedChunk }
                state = .dataLineFeed
            case .dataLineFeed:
                guard byte == ASCII.lf else { throw .malformedChunk }
                state = .size(digits: 0, value: 0)
            case .trailerLineStart:
                if byte == ASCII.cr { state = .finalLineFeed }
                else {
                    guard ASCII.isTokenCharacter(byte) else { throw .malformedChunk }
                    try countTrailer()
                    state = .trailerName
                }
            case .trailerName:
                if byte == ASCII.colon { state = .trailerValue }
                else { guard ASCII.isTokenCharacter(byte) else { throw .malformedChunk } }
                try countTrailer()
            case .trailerValue:
                if byte == ASCII.cr { state = .trailerLineFeed }
                else {
                    guard ASCII.isFieldValueCharacter(byte) else { throw .malformedChunk }
                    try countTrailer()
                }
            case .trailerLineFeed:
                guard byte == ASCII.lf else { throw .malformedChunk }
                state = .trailerLineStart
            case .finalLineFeed:
                guard byte == ASCII.lf else { throw .malformedChunk }
                state = .done
            case .done:
                break
            }
            index += 1
        }
        return index - input.startIndex
    }

    var pendingSize = 0

    mutating func countTrailer() throws(HTTPRequestError) {
        trailerBytes += 1
        guard trailerBytes <= maximumTrailer else { throw .headerTooLarge }
    }
}

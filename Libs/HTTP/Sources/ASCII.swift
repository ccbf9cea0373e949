/// The byte classes HTTP's grammar is written in (RFC 9110 §5.6, RFC 5234 appendix B).
enum ASCII {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9
    static let colon: UInt8 = 58
    static let comma: UInt8 = 44
    static let semicolon: UInt8 = 59

    /// `tchar`: the characters of a token (method, field name, coding).
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// `field-vchar / SP / HTAB`: what a field value may hold (obs-text included).
    static func isFieldValueCharacter(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// `VCHAR`: a visible character (what a request target is made of).
    static func isVisible(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    static func lowercased(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte }

    /// Whether `bytes` equals `lowercase` ignoring ASCII case (`lowercase` is lower case).
    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        var position = 0
        for byte in bytes {
            if lowercased(byte) != lowercase[position] { return false }
            position += 1
        }
        return true
    }

    /// `bytes` without leading and trailing spaces and tabs (OWS).
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end && isWhitespace(bytes[start]) { start += 1 }
        while end > start && isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// The comma-separated elements of a list-valued field (RFC 9110 §5.6.1), trimmed; empty
    /// elements are dropped, as the RFC asks recipients to.
    static func listElements(_ value: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        value.split(separator: comma, omittingEmptySubsequences: false).map { trimmed($0) }.filter { !$0.isEmpty }
    }

    /// A decimal number of at most `maximum`, digits only (no sign, no spaces); nil for
    /// anything else, including a value above `maximum` (so no overflow is possible).
    static func decimal(_ digits: ArraySlice<UInt8>, maximum: Int) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let digit = Int(byte - 0x30)
            guard digit <= maximum, value <= (maximum - digit) / 10 else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    /// The value of one hexadecimal digit, or nil.
    static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// The decimal digits of `value` (non-negative).
    static func digits(_ value: Int) -> [UInt8] {
        guard value > 0 else { return [0x30] }
        var out: [UInt8] = []
        var rest = value
        while rest > 0 { out.append(UInt8(0x30 + rest % 10)); rest /= 10 }
        return out.reversed()
    }
}

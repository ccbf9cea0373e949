/// The values the config subset of TOML allows: a string, an integer, a boolean, or an
/// array of strings.
enum TOMLValue: Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case strings([String])

    /// Parses one value.
    static func parse(_ text: String) throws(HermitError) -> TOMLValue {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if let number = Int(text.replacingUnderscores) { return .integer(number) }
        if text.hasPrefix("\"") {
            var rest = Substring(text)
            let s = try parseString(&rest)
            guard rest.trimmedSubstring.isEmpty else { throw HermitError("unexpected text after the string: '\(rest)'") }
            return .string(s)
        }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw HermitError("an array must end with ']'") }
            var rest = Substring(text.dropFirst().dropLast())
            var items: [String] = []
            while true {
                rest = rest.trimmedSubstring
                if rest.isEmpty { break }
                items.append(try parseString(&rest))
                rest = rest.trimmedSubstring
                if rest.isEmpty { break }
                guard rest.first == "," else { throw HermitError("expected ',' between array items, found '\(rest)'") }
                rest = rest.dropFirst()
            }
            return .strings(items)
        }
        throw HermitError("cannot read the value '\(text)' (expected a \"string\", a number, true/false or [\"a\", \"b\"])")
    }

    /// Parses a double-quoted string with \" \\ \n \t escapes from the front of `text`.
    static func parseString(_ text: inout Substring) throws(HermitError) -> String {
        guard text.first == "\"" else { throw HermitError("expected a double-quoted string, found '\(text)'") }
        text = text.dropFirst()
        var result = ""
        while let c = text.first {
            text = text.dropFirst()
            switch c {
            case "\"": return result
            case "\\":
                guard let escaped = text.first else { break }
                text = text.dropFirst()
                switch escaped {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "\"", "\\": result.append(escaped)
                default: throw HermitError("unknown escape '\\\(escaped)'")
                }
            default: result.append(c)
            }
        }
        throw HermitError("unterminated string")
    }

    /// The line without a `#` comment (a `#` inside a string is kept).
    static func stripComment(_ line: String) -> String {
        var inString = false, escaped = false
        for index in line.indices {
            let c = line[index]
            if escaped { escaped = false; continue }
            if c == "\\" && inString { escaped = true; continue }
            if c == "\"" { inString.toggle() }
            if c == "#" && !inString { return String(line[..<index]) }
        }
        return line
    }
}

extension StringProtocol {
    var trimmedSubstring: Substring {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}

/// What `wrk` printed: requests per second, and errors if any.
///
/// Guarantees: nil when the output has no "Requests/sec:" line (wrk failed); socket errors
/// and non-2xx responses are kept so a run that failed part-way is not mistaken for a fast one.
public struct WrkReport: Sendable, Equatable {
    public var requestsPerSecond: Double
    public var requests: Int
    public var socketErrors: Int
    public var non2xx: Int
    /// Latency percentiles as wrk prints them with `--latency` (50, 75, 90, 99 → "1.23ms").
    public var latency: [Int: String] = [:]

    public init?(parsing output: String) {
        var rate: Double? = nil
        var requests = 0, errors = 0, non2xx = 0
        for line in output.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            if words.first == "Requests/sec:", words.count >= 2 { rate = Double(words[1]) }
            if words.count >= 2, words[1] == "requests", let count = Int(words[0]) { requests = count }
            if words.first == "Socket", words.count >= 2, words[1] == "errors:" {
                // "Socket errors: connect 0, read 0, write 0, timeout 2"
                errors = words.compactMap { Int($0.filter(\.isNumber)) }.reduce(0, +)
            }
            if line.hasPrefix("  Non-2xx or 3xx responses:"), let count = words.last.flatMap({ Int($0) }) { non2xx = count }
            if words.count == 2, words[0].hasSuffix("%"), let percent = Int(words[0].dropLast()), line.hasPrefix("     ") { latency[percent] = String(words[1]) }
        }
        guard let rate else { return nil }
        requestsPerSecond = rate
        self.requests = requests
        socketErrors = errors
        self.non2xx = non2xx
    }
}

import Foundation

/// The figures a benchmark guest printed: one `bench: <name>=<value>` line each, in order.
///
/// Guarantees: only lines of exactly that shape with a decimal value count (kernel log lines,
/// carriage returns and anything else on the console are ignored); a name printed twice keeps
/// its last value; `complete` is true only when the guest printed `bench: done`.
public struct BenchmarkFigures: Equatable, Sendable {
    public private(set) var names: [String] = []
    public private(set) var values: [String: UInt64] = [:]
    public private(set) var complete = false
    /// Failure lines (`bench: FAILED: ...`) the guest printed.
    public private(set) var failures: [String] = []

    public init() {}

    public init(parsing output: String) {
        for rawLine in output.split(whereSeparator: \.isNewline) {
            guard let range = rawLine.range(of: "bench: ") else { continue }
            let rest = rawLine[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
            if rest == "done" { complete = true; continue }
            if rest.hasPrefix("FAILED: ") { failures.append(String(rest.dropFirst(8))); continue }
            let parts = rest.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = UInt64(parts[1]), !parts[0].isEmpty,
                  parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            set(String(parts[0]), value)
        }
    }

    public mutating func set(_ name: String, _ value: UInt64) {
        if values[name] == nil { names.append(name) }
        values[name] = value
    }

    public subscript(name: String) -> UInt64? { values[name] }
}

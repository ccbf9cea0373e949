/// The timings the matmul benchmark printed (`matmul: n=<n> algorithm=<a> workers=<w>
/// ns=<t> checksum=<c>`), from the unikernel or the host build, and their medians.
///
/// Guarantees: lines of any other shape are ignored; a run counts as failed if it printed
/// `FAILED` anywhere.
public struct MatmulFigures: Sendable, Equatable {
    /// One timed product.
    public struct Timing: Sendable, Equatable {
        public var n: Int
        public var algorithm: String
        public var workers: Int
        public var nanoseconds: UInt64
        public var checksum: Int64
    }

    public var timings: [Timing] = []
    public var failed = false

    public init(parsing output: String) {
        for line in output.split(whereSeparator: \.isNewline) {
            if line.contains("FAILED") { failed = true }
            guard let start = line.range(of: "matmul: n=") else { continue }
            var fields: [Substring: Substring] = [:]
            for word in line[start.upperBound...].split(separator: " ") {
                let parts = word.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { fields[parts[0]] = parts[1] } else if fields["n"] == nil { fields["n"] = word }
            }
            guard let n = fields["n"].flatMap({ Int($0) }), let algorithm = fields["algorithm"],
                  let workers = fields["workers"].flatMap({ Int($0) }),
                  let nanoseconds = fields["ns"].flatMap({ UInt64($0) }),
                  let checksum = fields["checksum"].flatMap({ Int64($0.filter { !$0.isWhitespace }) }) else { continue }
            timings.append(Timing(n: n, algorithm: String(algorithm), workers: workers, nanoseconds: nanoseconds, checksum: checksum))
        }
    }

    /// The median of the nanoseconds of every run's timing of (`n`, `algorithm`), or nil.
    public static func median(_ runs: [MatmulFigures], n: Int, algorithm: String) -> UInt64? {
        let values = runs.flatMap { $0.timings }.filter { $0.n == n && $0.algorithm == algorithm }.map(\.nanoseconds).sorted()
        guard !values.isEmpty else { return nil }
        return values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
    }
}

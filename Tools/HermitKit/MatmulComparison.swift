import Foundation

/// What `hermit bench matmul` prints: per size and algorithm, the median wall time of the
/// unikernel with 1 and 2 vCPUs and of the host build with 1 and 2 threads, the speed-ups
/// from 1 to 2, and the unikernel/host time ratios.
///
/// Guarantees: every figure is a median over the runs that were made (none is assumed);
/// a figure that is missing prints as "-".
public struct MatmulComparison: Sendable {
    public var sizes: [Int]
    /// Runs keyed by processors (vCPUs or threads).
    public var unikernel: [Int: [MatmulFigures]]
    public var host: [Int: [MatmulFigures]]
    public var runs: Int
    /// How the unikernel ran (e.g. "TCG, thread=multi").
    public var setting: String

    public init(sizes: [Int], unikernel: [Int: [MatmulFigures]], host: [Int: [MatmulFigures]], runs: Int, setting: String) {
        self.sizes = sizes
        self.unikernel = unikernel
        self.host = host
        self.runs = runs
        self.setting = setting
    }

    static let algorithms = ["blocked", "strassen"]

    func median(_ side: [Int: [MatmulFigures]], _ processors: Int, _ n: Int, _ algorithm: String) -> UInt64? {
        MatmulFigures.median(side[processors] ?? [], n: n, algorithm: algorithm)
    }

    static func ratio(_ a: UInt64?, _ b: UInt64?) -> Double? {
        guard let a, let b, b > 0 else { return nil }
        return Double(a) / Double(b)
    }

    public func table() -> String {
        func ms(_ ns: UInt64?) -> String { ns.map { String(format: "%.1f", Double($0) / 1e6) } ?? "-" }
        func times(_ value: Double?) -> String { value.map { String(format: "%.2fx", $0) } ?? "-" }
        var lines = [
            "matmul, median of \(runs) runs, milliseconds; unikernel under QEMU (\(setting)), host: the same source built for Linux",
            "algorithm   n  | unikernel 1  unikernel 2  speed-up | host 1    host 2   speed-up | uk/host 1  uk/host 2",
            String(repeating: "-", count: 104),
        ]
        for n in sizes {
            for algorithm in Self.algorithms {
                let u1 = median(unikernel, 1, n, algorithm), u2 = median(unikernel, 2, n, algorithm)
                let h1 = median(host, 1, n, algorithm), h2 = median(host, 2, n, algorithm)
                lines.append(algorithm.padding(toLength: 9, withPad: " ", startingAt: 0) + column("\(n)", 5) + "  |"
                             + column(ms(u1), 12) + column(ms(u2), 13) + column(times(Self.ratio(u1, u2)), 10) + " |"
                             + column(ms(h1), 7) + column(ms(h2), 10) + column(times(Self.ratio(h1, h2)), 11) + " |"
                             + column(times(Self.ratio(u1, h1)), 10) + column(times(Self.ratio(u2, h2)), 11))
            }
        }
        return lines.joined(separator: "\n")
    }

    public func json() -> String {
        struct Row: Encodable {
            var algorithm: String
            var n: Int
            var unikernel_ns: [String: UInt64]
            var host_ns: [String: UInt64]
            var unikernel_speedup: Double?
            var host_speedup: Double?
        }
        var rows: [Row] = []
        for n in sizes {
            for algorithm in Self.algorithms {
                var u: [String: UInt64] = [:], h: [String: UInt64] = [:]
                for p in [1, 2] {
                    if let v = median(unikernel, p, n, algorithm) { u["\(p)"] = v }
                    if let v = median(host, p, n, algorithm) { h["\(p)"] = v }
                }
                rows.append(Row(algorithm: algorithm, n: n, unikernel_ns: u, host_ns: h,
                                unikernel_speedup: Self.ratio(u["1"], u["2"]), host_speedup: Self.ratio(h["1"], h["2"])))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(rows)) ?? Data(), as: UTF8.self)
    }
}

import Foundation

/// The paper's Table 3 side by side with SwiftyHermit and a Linux guest booted in the same
/// VMM: what `hermit bench` prints.
///
/// Guarantees: a ratio is given only where both guests printed the figure; the paper's
/// columns are its published CPU cycles on a Xeon Gold 6132 (reference only: a different
/// unit from instructions under TCG); a Linux side that could not run is reported, not
/// silently left out.
public struct BenchmarkComparison: Sendable {
    /// One operation measured in both guests.
    public struct Operation: Sendable {
        /// The name both guests print.
        public var name: String
        public var title: String
        /// The paper's cycles: Linux, HermitCore (C), RustyHermit.
        public var paper: (linux: Int, hermitCore: Int, rustyHermit: Int)?
    }

    /// The operations in table order.
    public static let operations: [Operation] = [
        Operation(name: "getpid", title: "getpid()", paper: (1_962, 13, 36)),
        Operation(name: "sched_yield", title: "sched_yield()", paper: (2_428, 108, 233)),
        Operation(name: "thread_create", title: "thread creation", paper: (9_782, 8_785, 7_790)),
        Operation(name: "page_fault", title: "page fault", paper: (6_969, 7_718, 9_061)),
        Operation(name: "heap_alloc_free_64", title: "malloc+free 64 B", paper: nil),
        Operation(name: "boot_to_main", title: "boot: entry to main", paper: nil),
        Operation(name: "vm_start_to_main", title: "boot: VM start to main", paper: nil),
    ]

    public var swiftyHermit: BenchmarkFigures
    public var linux: BenchmarkFigures?
    /// The Linux guest's own program (Tools/LinuxBaseline/bench.c, a static glibc binary) run
    /// unmodified on SwiftyHermit through the Linux system-call layer: the same binary in
    /// both guests.
    public var sameBinary: BenchmarkFigures? = nil
    /// Why there is no same-binary run, if there is none.
    public var sameBinaryFailure: String? = nil
    /// Why there is no Linux side, if there is none.
    public var linuxFailure: String?
    /// What the numbers count ("guest instructions" under TCG with icount, else "TSC cycles").
    public var unit: String

    public init(swiftyHermit: BenchmarkFigures, linux: BenchmarkFigures?, linuxFailure: String?, unit: String) {
        self.swiftyHermit = swiftyHermit
        self.linux = linux
        self.linuxFailure = linuxFailure
        self.unit = unit
    }

    /// Linux's figure divided by SwiftyHermit's (how many times cheaper SwiftyHermit is).
    public func ratio(_ name: String) -> Double? {
        guard let ours = swiftyHermit[name], ours > 0, let theirs = linux?[name] else { return nil }
        return Double(theirs) / Double(ours)
    }

    /// The human-readable table.
    public func table() -> String {
        func number(_ value: UInt64?) -> String { value.map(Self.grouped) ?? "-" }
        var lines = [
            "per operation, \(unit); paper: CPU cycles (RustyHermit paper, Table 3)",
            column("operation", 24, left: true) + column("Linux", 14) + column("SwiftyHermit", 14) + column("Linux/SH", 10)
                + "  |" + column("paper Linux", 12) + column("HermitCore", 11) + column("RustyHermit", 12),
            String(repeating: "-", count: 99),
        ]
        for operation in Self.operations {
            let ratio = ratio(operation.name).map { Self.fixed($0) + "x" } ?? "-"
            var line = column(operation.title, 24, left: true) + column(number(linux?[operation.name]), 14)
                + column(number(swiftyHermit[operation.name]), 14) + column(ratio, 10) + "  |"
            if let paper = operation.paper {
                line += column(Self.grouped(UInt64(paper.linux)), 12) + column(Self.grouped(UInt64(paper.hermitCore)), 11)
                    + column(Self.grouped(UInt64(paper.rustyHermit)), 12)
            }
            lines.append(line)
        }
        lines.append("boot rows: TSC ticks; a guest that halts lets QEMU's icount clock jump ahead, so Linux's boot")
        lines.append("figure includes time it spent idle (delays, timers), not only instructions.")
        if let linuxFailure { lines.append("Linux side missing: \(linuxFailure)") }
        if sameBinary != nil || sameBinaryFailure != nil {
            lines.append("")
            lines.append("the same static binary (Tools/LinuxBaseline/bench.c, gcc -static) in both guests, \(unit):")
            lines.append(column("operation", 24, left: true) + column("Linux", 14) + column("SwiftyHermit", 14) + column("Linux/SH", 10))
            lines.append(String(repeating: "-", count: 62))
            for operation in Self.operations where operation.name != "boot_to_main" {
                let ours = sameBinary?[operation.name], theirs = linux?[operation.name]
                let ratio = (ours.flatMap { $0 > 0 ? $0 : nil }).flatMap { ours in theirs.map { Self.fixed(Double($0) / Double(ours)) + "x" } } ?? "-"
                lines.append(column(operation.title, 24, left: true) + column(number(theirs), 14) + column(number(ours), 14) + column(ratio, 10))
            }
            if let sameBinaryFailure { lines.append("SwiftyHermit side missing: \(sameBinaryFailure)") }
        }
        return lines.joined(separator: "\n")
    }

    /// The same as JSON, for machines.
    public func json() -> String {
        struct Row: Encodable {
            var name: String
            var linux: UInt64?
            var swiftyhermit: UInt64?
            var ratio: Double?
            var paper_cycles: [String: Int]?
        }
        struct Document: Encodable {
            var unit: String
            var operations: [Row]
            var linux_failure: String?
            var same_binary: [String: UInt64]?
        }
        let rows = Self.operations.map { operation in
            Row(name: operation.name, linux: linux?[operation.name], swiftyhermit: swiftyHermit[operation.name],
                ratio: ratio(operation.name).map { ($0 * 100).rounded() / 100 },
                paper_cycles: operation.paper.map { ["linux": $0.linux, "hermitcore": $0.hermitCore, "rustyhermit": $0.rustyHermit] })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var sameBinaryRows: [String: UInt64]? = nil
        if let sameBinary {
            var rows: [String: UInt64] = [:]
            for operation in Self.operations { if let value = sameBinary[operation.name] { rows[operation.name] = value } }
            sameBinaryRows = rows
        }
        let data = (try? encoder.encode(Document(unit: unit, operations: rows, linux_failure: linuxFailure, same_binary: sameBinaryRows))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }

    /// One decimal below 10, none above.
    static func fixed(_ value: Double) -> String {
        if value >= 10 { return "\(Int(value.rounded()))" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

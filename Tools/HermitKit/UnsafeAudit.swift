import Foundation

/// Counts code and unsafe code per module, like Table 2 of the RustyHermit paper.
///
/// A module is a folder under `Libs/` (apps under `Apps/` are counted as one "Apps" row).
/// Swift lines of code exclude blank lines and comments. A Swift line is unsafe when, after
/// comments and string literals are removed, it uses one of ``unsafeConstructs``. Assembly and
/// C lines (`.S`, `.s`, `.c`, `.h`) are all counted as unsafe, as the paper does.
///
/// Guarantees: ``violations`` lists every unsafe Swift line outside the modules in
/// ``trustedModules``; the audit (and the test suite) fail when it is not empty.
///
/// For each trusted module, ``fences`` counts its public declarations and the `@unsafe` ones
/// among them (see ``FenceSurface`` for what is counted).
public struct UnsafeAudit: Sendable {
    /// Modules allowed to contain unsafe code.
    public static let trustedModules: Set<String> = ["X86", "Boot"]

    /// The constructs that make a Swift line unsafe.
    public static let unsafeConstructs = [
        "unsafe", "Unsafe", "@unchecked", "@_extern", "@_silgen_name", "@_cdecl",
        "unowned(unsafe)", "@_unsafeInheritExecutor", "unsafeBitCast",
    ]

    /// The fence's C layer (the instruction shims and the boot entry): its functions take
    /// addresses as integers, so Swift imports them as safe; only X86 and Boot may import them,
    /// and a line outside those that names one is a violation (not counted as unsafe code).
    public static let fenceInternalModules = ["X86Shim", "BootEntry"]

    /// One row of the table.
    public struct Row: Equatable, Sendable {
        public var module: String
        /// Swift lines of code.
        public var swiftLines = 0
        /// Swift lines using an unsafe construct.
        public var unsafeSwiftLines = 0
        /// Assembly and C lines of code.
        public var assemblyAndCLines = 0

        public init(module: String) { self.module = module }

        /// Unsafe Swift lines among Swift lines, in percent (the paper's measure).
        public var unsafeSwiftShare: Double {
            swiftLines == 0 ? 0 : Double(unsafeSwiftLines) * 100 / Double(swiftLines)
        }

        /// Unsafe lines (Swift and assembly/C) among all lines, in percent.
        public var unsafeShare: Double {
            let total = swiftLines + assemblyAndCLines
            return total == 0 ? 0 : Double(unsafeSwiftLines + assemblyAndCLines) * 100 / Double(total)
        }
    }

    /// An unsafe line where none is allowed.
    public struct Violation: Equatable, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var text: String
        public var description: String { "\(file):\(line): \(text)" }
    }

    public var rows: [Row] = []
    public var violations: [Violation] = []
    /// The public surface of each trusted module, in module order.
    public var fences: [FenceSurface] = []

    /// What the fence cannot check: printed under the fence table.
    public static let trustedHardware = "trusted hardware: without an IOMMU a bus-mastering device (virtio-net) "
        + "can write any RAM; the fence tells it only addresses of DMA memory (descriptor tables, queue-address "
        + "registers and MSI-X tables are written by the fence alone), but what the device does with them is trusted."

    /// The totals over all rows.
    public var total: Row {
        var total = Row(module: "Total")
        for row in rows {
            total.swiftLines += row.swiftLines
            total.unsafeSwiftLines += row.unsafeSwiftLines
            total.assemblyAndCLines += row.assemblyAndCLines
        }
        return total
    }

    /// Audits the package at `root`.
    public static func run(root: URL) -> UnsafeAudit {
        var audit = UnsafeAudit()
        let fileManager = FileManager.default
        let libs = root.appendingPathComponent("Libs")
        let modules = ((try? fileManager.contentsOfDirectory(atPath: libs.path)) ?? []).sorted()
        for module in modules where !module.hasPrefix(".") {
            audit.add(module: module, directory: libs.appendingPathComponent(module), root: root)
        }
        audit.add(module: "Apps", directory: root.appendingPathComponent("Apps"), root: root)
        return audit
    }

    mutating func add(module: String, directory: URL, root: URL) {
        var row = Row(module: module)
        let trusted = UnsafeAudit.trustedModules.contains(module)
        var fence = FenceSurface(module: module)
        guard let files = FileManager.default.enumerator(atPath: directory.path) else { return }
        for case let relative as String in files {
            let path = directory.appendingPathComponent(relative).path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let display = path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
            switch (relative as NSString).pathExtension {
            case "swift":
                let counts = UnsafeAudit.countSwift(text)
                row.swiftLines += counts.code
                row.unsafeSwiftLines += counts.unsafeLines.count
                if trusted {
                    fence.add(source: text)
                } else {
                    violations += counts.unsafeLines.map { Violation(file: display, line: $0.line, text: $0.text) }
                    violations += counts.fenceInternalLines.map { Violation(file: display, line: $0.line, text: "\($0.text) (the fence's C layer outside X86 and Boot)") }
                }
            case "S", "s", "c", "h":
                let lines = UnsafeAudit.countAssemblyOrC(text)
                row.assemblyAndCLines += lines
                if !trusted && lines > 0 {
                    violations.append(Violation(file: display, line: 1, text: "assembly or C outside X86 and Boot"))
                }
            default:
                continue
            }
        }
        rows.append(row)
        if trusted { fences.append(fence) }
    }

    /// Code lines of a Swift file and the unsafe ones among them (line number, code text);
    /// also the lines that name one of ``fenceInternalModules``.
    public static func countSwift(_ text: String) -> (code: Int, unsafeLines: [(line: Int, text: String)], fenceInternalLines: [(line: Int, text: String)]) {
        var code = 0
        var unsafeLines: [(line: Int, text: String)] = []
        var fenceInternalLines: [(line: Int, text: String)] = []
        var inBlockComment = 0
        var inMultilineString = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let stripped = stripSwift(String(line), blockDepth: &inBlockComment, inMultilineString: &inMultilineString)
            let trimmed = stripped.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            code += 1
            if unsafeConstructs.contains(where: { containsToken(trimmed, $0) }) {
                unsafeLines.append((index + 1, trimmed))
            }
            if fenceInternalModules.contains(where: { containsToken(trimmed, $0) }) {
                fenceInternalLines.append((index + 1, trimmed))
            }
        }
        return (code, unsafeLines, fenceInternalLines)
    }

    /// Whether `token` occurs in `line` as a word (or word prefix for `Unsafe...` types).
    static func containsToken(_ line: String, _ token: String) -> Bool {
        var searchStart = line.startIndex
        while let range = line.range(of: token, range: searchStart..<line.endIndex) {
            let before = range.lowerBound == line.startIndex ? nil : line[line.index(before: range.lowerBound)]
            let after = range.upperBound == line.endIndex ? nil : line[range.upperBound]
            let isWordStart = before.map { !($0.isLetter || $0.isNumber || $0 == "_") } ?? true
            let isWordEnd = token == "Unsafe" || (after.map { !($0.isLetter || $0.isNumber || $0 == "_") } ?? true)
            if isWordStart && isWordEnd { return true }
            searchStart = range.upperBound
        }
        return false
    }

    /// The line with comments and the contents of string literals removed.
    static func stripSwift(_ line: String, blockDepth: inout Int, inMultilineString: inout Bool) -> String {
        var result = ""
        var characters = Array(line)
        var i = 0
        var inString = false
        while i < characters.count {
            let c = characters[i]
            let next: Character? = i + 1 < characters.count ? characters[i + 1] : nil
            if inMultilineString {
                if c == "\"" && next == "\"" && i + 2 < characters.count && characters[i + 2] == "\"" {
                    inMultilineString = false
                    i += 3
                    continue
                }
                i += 1
                continue
            }
            if blockDepth > 0 {
                if c == "*" && next == "/" { blockDepth -= 1; i += 2; continue }
                if c == "/" && next == "*" { blockDepth += 1; i += 2; continue }
                i += 1
                continue
            }
            if inString {
                if c == "\\" { i += 2; continue }
                if c == "\"" { inString = false; result.append(c) }
                i += 1
                continue
            }
            if c == "/" && next == "/" { break }
            if c == "/" && next == "*" { blockDepth += 1; i += 2; continue }
            if c == "\"" {
                if next == "\"" && i + 2 < characters.count && characters[i + 2] == "\"" {
                    inMultilineString = true
                    result += "\"\"\""
                    i += 3
                    continue
                }
                inString = true
                result.append(c)
                i += 1
                continue
            }
            result.append(c)
            i += 1
        }
        characters.removeAll()
        return result
    }

    /// Code lines of an assembly or C file: not blank, not only a comment (`//`, `/* */`,
    /// `#` comments in assembly are kept out only when they are `//` or block comments).
    public static func countAssemblyOrC(_ text: String) -> Int {
        var depth = 0
        var multiline = false
        var count = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let stripped = stripSwift(String(line), blockDepth: &depth, inMultilineString: &multiline)
            if !stripped.trimmingCharacters(in: .whitespaces).isEmpty { count += 1 }
        }
        return count
    }

    /// The table as text, with the paper's figures beside the total.
    public func table() -> String {
        func percent(_ value: Double) -> String {
            let hundredths = Int((value * 100).rounded())
            return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) %"
        }
        var lines = [column("module", 10, left: true) + column("Swift LOC", 11) + column("unsafe", 8) + column("share", 10)
                     + column("asm/C LOC", 11) + column("unsafe+asm share", 18)]
        for row in rows + [total] {
            if row.module == "Total" { lines.append(String(repeating: "-", count: 68)) }
            lines.append(column(row.module, 10, left: true) + column("\(row.swiftLines)", 11) + column("\(row.unsafeSwiftLines)", 8)
                         + column(percent(row.unsafeSwiftShare), 10) + column("\(row.assemblyAndCLines)", 11)
                         + column(percent(row.unsafeShare), 18))
        }
        lines.append("RustyHermit" + column("8834", 10) + column("255", 8) + column("2.89 %", 10)
                     + "   (the paper's Table 2; 3.27 % with the crates it uses)")
        if violations.isEmpty {
            lines.append("unsafe code only in: \(UnsafeAudit.trustedModules.sorted().joined(separator: ", "))")
        } else {
            lines.append("UNSAFE CODE OUTSIDE X86 AND BOOT (\(violations.count) lines):")
            lines += violations.map { "  \($0)" }
        }
        lines.append("")
        lines.append(column("fence", 8, left: true) + column("public decls", 12) + column("@unsafe", 9)
                     + "  sound (documented why)  undocumented")
        for fence in fences {
            lines.append(column(fence.module, 8, left: true) + column("\(fence.publicDeclarations)", 12)
                         + column("\(fence.unsafeDeclarations)", 9) + column("\(fence.soundDeclarations)", 7)
                         + column("\(fence.undocumentedDeclarations)", 19))
        }
        lines.append(UnsafeAudit.trustedHardware)
        return lines.joined(separator: "\n")
    }
}

import Foundation

/// Turns the addresses in a panic report's backtrace into function names, using the
/// unstripped image and llvm-symbolizer.
public struct PanicSymbolizer: Sendable {
    public var toolchain: Toolchain

    public init(toolchain: Toolchain) { self.toolchain = toolchain }

    /// The addresses of the `#n 0x...` backtrace lines in `output`.
    public static func backtraceAddresses(in output: String) -> [String] {
        output.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\r" })
            guard words.count == 2, words[0].hasPrefix("#"), words[1].hasPrefix("0x") else { return nil }
            return String(words[1])
        }
    }

    /// One line per backtrace address: the address and the function it lies in.
    public func symbolize(_ output: String, image: BuiltImage) -> [String] {
        let addresses = PanicSymbolizer.backtraceAddresses(in: output)
        guard !addresses.isEmpty, let symbolizer = toolchain.symbolizer else { return [] }
        guard let result = try? Shell.run(symbolizer, ["--obj=\(image.debugPath.path)", "--functions=linkage", "--no-inlines"] + addresses),
              result.status == 0 else { return [] }
        // llvm-symbolizer prints, per address: function name, file:line, blank line.
        let blocks = result.output.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        var names = blocks.map { String($0.split(separator: "\n").first ?? "??") }
        if let demangler = toolchain.demangler,
           let demangled = try? Shell.run(demangler, ["--simplified", "--compact"] + names), demangled.status == 0 {
            let lines = demangled.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.count >= names.count { names = Array(lines.prefix(names.count)) }
        }
        return zip(addresses, names).enumerated().map { index, pair in "  #\(index) \(pair.0) \(pair.1)" }
    }
}

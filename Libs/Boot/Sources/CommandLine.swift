/// The kernel command line as `key=value` words separated by spaces.
///
/// Guarantees: parsing works on UTF-8 bytes only (no Unicode tables are linked for it);
/// a word without `=` is a flag whose value is the empty string; later words win.
public struct KernelCommandLine: Sendable, Equatable {
    /// The words in order, split at the first `=`.
    public let arguments: [(key: String, value: String)]

    /// Parses `text`.
    public init(_ text: String) {
        var arguments: [(key: String, value: String)] = []
        for word in text.utf8.split(separator: 0x20, omittingEmptySubsequences: true) {
            if let equals = word.firstIndex(of: 0x3D) {
                arguments.append((String(decoding: word[..<equals], as: UTF8.self),
                                  String(decoding: word[word.index(after: equals)...], as: UTF8.self)))
            } else {
                arguments.append((String(decoding: word, as: UTF8.self), ""))
            }
        }
        self.arguments = arguments
    }

    /// The value of the last word `key=value`, or nil when `key` does not occur.
    public func value(of key: String) -> String? {
        arguments.last { $0.key == key }?.value
    }

    /// Whether both lines hold the same words.
    public static func == (lhs: KernelCommandLine, rhs: KernelCommandLine) -> Bool {
        lhs.arguments.elementsEqual(rhs.arguments) { $0.key == $1.key && $0.value == $1.value }
    }
}

extension BootInfo {
    /// The command line, parsed.
    public var arguments: KernelCommandLine { KernelCommandLine(commandLine) }
}

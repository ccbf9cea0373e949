/// The kernel command line of an image that runs a Linux program: the kernel's `key=value`
/// words, then ` -- ` and the program's arguments (as Linux passes the words after `--` to
/// init).
///
/// Guarantees: total over any text; words are split at spaces (runs of spaces are one
/// separator); a word `env=NAME=VALUE` before `--` adds `NAME=VALUE` to the environment
/// (later ones replace earlier ones of the same name), and `exe=PATH` names the program in
/// an archive; every word after the first `--` belongs to the program, even another `--`.
public struct ProgramCommandLine: Sendable, Equatable {
    /// The kernel's words, before `--`.
    public var kernelWords: [String]
    /// The program's arguments after its name (argv[1...]).
    public var arguments: [String]
    /// The environment the command line adds (`env=NAME=VALUE`).
    public var environment: [String]
    /// The program to run in an archive (`exe=`), if named.
    public var executablePath: String?
    /// Whether every system call is traced (`strace` or `strace=1`/`true`).
    public var tracing: Bool

    public init(_ text: String) {
        let words = text.utf8.split(separator: 0x20, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        let split = words.firstIndex(of: "--")
        kernelWords = Array(words[..<(split ?? words.endIndex)])
        arguments = split.map { Array(words[($0 + 1)...]) } ?? []
        var environment: [String] = []
        var executablePath: String? = nil
        var tracing = false
        for word in kernelWords {
            if word.hasPrefix("env="), word.utf8.count > 4 {
                let entry = String(word.dropFirst(4))
                let name = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? entry
                environment.removeAll { $0 == name || $0.hasPrefix(name + "=") }
                environment.append(entry)
            } else if word.hasPrefix("exe="), word.utf8.count > 4 {
                executablePath = String(word.dropFirst(4))
            } else if word == "strace" || word == "strace=1" || word == "strace=true" {
                tracing = true
            } else if word == "strace=0" || word == "strace=false" {
                tracing = false
            }
        }
        self.environment = environment
        self.executablePath = executablePath
        self.tracing = tracing
    }

    /// `defaults` with this line's environment applied (a variable it names replaces the
    /// default of the same name).
    public func environment(over defaults: [String]) -> [String] {
        var result = defaults
        for entry in environment {
            let name = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? entry
            result.removeAll { $0 == name || $0.hasPrefix(name + "=") }
            result.append(entry)
        }
        return result
    }
}

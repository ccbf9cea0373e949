import Foundation
import Testing

/// One compile-fail or must-compile case: a Swift file under `Tests/FenceCases/MustFail` or
/// `Tests/FenceCases/MustCompile`.
///
/// A MustFail file names what it must fail with in `// expected-error: <substring>` lines at
/// its top (before the first line that is not a comment or blank); each substring must occur
/// in one of the compiler's error or note messages.
struct FenceCase: CustomTestStringConvertible, Sendable {
    /// Whether the file must fail to type-check or must type-check cleanly.
    enum Kind: String, Sendable {
        case mustFail = "MustFail"
        case mustCompile = "MustCompile"
    }

    var kind: Kind
    /// The file's absolute path.
    var path: String
    /// The substrings the compiler's diagnostics must contain (MustFail only).
    var expectedErrors: [String]

    /// The folder and file name, as the test names the case.
    var testDescription: String { "\(kind.rawValue)/\((path as NSString).lastPathComponent)" }

    /// The folder holding the cases: Tests/FenceCases beside this target's folder.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FenceCases")

    /// The package root (the folder holding Package.swift).
    static let packageRoot = directory.deletingLastPathComponent().deletingLastPathComponent()

    /// The `.swift` files of one kind, sorted by name.
    static func all(_ kind: Kind) -> [FenceCase] {
        let folder = directory.appendingPathComponent(kind.rawValue)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        return names.filter { $0.hasSuffix(".swift") }.map { name in
            let path = folder.appendingPathComponent(name).path
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return FenceCase(kind: kind, path: path, expectedErrors: expectedErrors(in: text))
        }
    }

    /// The `// expected-error:` substrings in the leading comment lines of `text`.
    static func expectedErrors(in text: String) -> [String] {
        var expected: [String] = []
        let marker = "// expected-error:"
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard trimmed.hasPrefix("//") else { break }
            if trimmed.hasPrefix(marker) {
                let substring = trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
                if !substring.isEmpty { expected.append(substring) }
            }
        }
        return expected
    }
}

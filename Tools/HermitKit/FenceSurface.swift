import Foundation

/// The public surface of one fenced module (a module allowed to use `unsafe`): how many public
/// declarations it has and how many of them are `@unsafe`.
///
/// The fence is sound when every public declaration is either sound for any safe caller or
/// marked `@unsafe`; ``soundDeclarations`` are the ones that claim the former.
///
/// What is counted, line by line after comments and string contents are removed: a line whose
/// declaration introducer (``introducers``: `func`, `init`, `var`, `let`, `struct`, `enum`,
/// `class`, `actor`, `protocol`, `typealias`, `subscript`, `macro`) is preceded only by
/// attributes and modifiers, one of them `public` or `open`. Attributes may also stand alone on
/// the line(s) directly above (`@unsafe` on its own line counts for the declaration below it).
/// Not counted: `public extension` (its members are counted when they say `public`), members
/// that are public only implicitly (protocol requirements, enum cases), and declarations whose
/// modifiers are split over several lines. Code inside `#if` blocks is counted whichever branch
/// it is in, so a declaration with a host and a kernel variant counts twice.
public struct FenceSurface: Equatable, Sendable {
    /// The module's name.
    public var module: String
    /// Public (or open) declarations.
    public var publicDeclarations = 0
    /// Public declarations marked `@unsafe`.
    public var unsafeDeclarations = 0
    /// Public declarations with no `///` doc comment directly above them (or above their
    /// attributes): the rule wants each to say why it is sound, or what its caller promises.
    public var undocumentedDeclarations = 0

    public init(module: String, publicDeclarations: Int = 0, unsafeDeclarations: Int = 0, undocumentedDeclarations: Int = 0) {
        self.module = module
        self.publicDeclarations = publicDeclarations
        self.unsafeDeclarations = unsafeDeclarations
        self.undocumentedDeclarations = undocumentedDeclarations
    }

    /// Public declarations not marked `@unsafe`: each must be sound for any safe caller.
    public var soundDeclarations: Int { publicDeclarations - unsafeDeclarations }

    /// Keywords that introduce a declaration.
    public static let introducers: Set<String> = [
        "func", "init", "var", "let", "struct", "enum", "class", "actor", "protocol", "typealias",
        "subscript", "macro",
    ]

    /// Declaration modifiers that may stand between the attributes and the introducer.
    static let modifiers: Set<String> = [
        "public", "open", "package", "internal", "fileprivate", "private", "static", "class", "final",
        "override", "mutating", "nonmutating", "nonisolated", "isolated", "convenience", "required",
        "dynamic", "lazy", "weak", "unowned", "indirect", "optional", "prefix", "postfix", "infix",
        "consuming", "borrowing", "distributed",
    ]

    /// Adds the public declarations of the Swift source `text`.
    public mutating func add(source text: String) {
        var blockDepth = 0
        var inMultilineString = false
        var pendingAttributes: [String] = []
        var documented = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let inCode = blockDepth == 0 && !inMultilineString
            let code = UnsafeAudit.stripSwift(String(line), blockDepth: &blockDepth, inMultilineString: &inMultilineString)
            if code.trimmingCharacters(in: .whitespaces).isEmpty {
                let raw = line.trimmingCharacters(in: .whitespaces)
                if inCode && raw.hasPrefix("///") { documented = true } else if raw.isEmpty { documented = false }
                continue
            }
            let prefix = FenceSurface.declarationPrefix(code)
            switch prefix.ending {
            case .endOfLine where prefix.modifiers.isEmpty:
                pendingAttributes += prefix.attributes
            case .introducer:
                if prefix.modifiers.contains("public") || prefix.modifiers.contains("open") {
                    publicDeclarations += 1
                    if (pendingAttributes + prefix.attributes).contains("unsafe") { unsafeDeclarations += 1 }
                    if !documented { undocumentedDeclarations += 1 }
                }
                pendingAttributes = []
                documented = false
            default:
                pendingAttributes = []
                documented = false
            }
        }
    }

    /// How the scan of a line's leading attributes and modifiers ended.
    enum PrefixEnding: Equatable {
        /// At a declaration introducer.
        case introducer
        /// At the end of the line: the line holds only attributes (and modifiers).
        case endOfLine
        /// At anything else: the line is not a declaration.
        case other
    }

    /// The attribute names (without `@`) and modifiers at the start of `line`, and what ends them.
    static func declarationPrefix(_ line: String) -> (attributes: [String], modifiers: [String], ending: PrefixEnding) {
        let characters = Array(line)
        var index = 0
        var attributes: [String] = []
        var modifiers: [String] = []
        func skipWhitespace() {
            while index < characters.count && characters[index].isWhitespace { index += 1 }
        }
        func word() -> String {
            let start = index
            while index < characters.count && (characters[index].isLetter || characters[index].isNumber || characters[index] == "_") {
                index += 1
            }
            return String(characters[start..<index])
        }
        /// Skips a parenthesised argument list (`@inline(__always)`, `private(set)`) if one follows.
        func skipArguments() {
            skipWhitespace()
            guard index < characters.count && characters[index] == "(" else { return }
            var depth = 0
            while index < characters.count {
                if characters[index] == "(" { depth += 1 }
                if characters[index] == ")" { depth -= 1 }
                index += 1
                if depth == 0 { return }
            }
        }
        while true {
            skipWhitespace()
            guard index < characters.count else { return (attributes, modifiers, .endOfLine) }
            if characters[index] == "@" {
                index += 1
                let name = word()
                guard !name.isEmpty else { return (attributes, modifiers, .other) }
                attributes.append(name)
                skipArguments()
                continue
            }
            let name = word()
            if name.isEmpty { return (attributes, modifiers, .other) }
            let save = index
            skipWhitespace()
            let next = word()
            index = save
            // `class` is a modifier before another introducer or modifier (`public class func`).
            let isModifier = FenceSurface.modifiers.contains(name)
                && (name != "class" || FenceSurface.introducers.contains(next) || FenceSurface.modifiers.contains(next))
            if isModifier {
                modifiers.append(name)
                skipArguments()
                continue
            }
            return (attributes, modifiers, FenceSurface.introducers.contains(name) ? .introducer : .other)
        }
    }
}

import Foundation

/// Where the host tools the builder needs live.
public struct Toolchain: Sendable {
    /// `swift`.
    public var swift: String
    /// `ld.lld`, from the Swift toolchain.
    public var linker: String
    /// `llvm-symbolizer`, for panic backtraces (optional).
    public var symbolizer: String?
    /// `swift-demangle` (optional).
    public var demangler: String?

    /// Finds the tools on PATH or next to `swift`.
    public static func locate() throws(HermitError) -> Toolchain {
        guard let swift = Shell.which("swift") else { throw HermitError("cannot find 'swift' on PATH") }
        let binDirectory = URL(fileURLWithPath: swift).resolvingSymlinksInPath().deletingLastPathComponent().path
        func tool(_ name: String) -> String? {
            let sibling = binDirectory + "/" + name
            return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : Shell.which(name)
        }
        guard let linker = tool("ld.lld") else { throw HermitError("cannot find 'ld.lld' (it ships with the Swift toolchain)") }
        return Toolchain(swift: swift, linker: linker, symbolizer: tool("llvm-symbolizer"), demangler: tool("swift-demangle"))
    }

    /// Archives of the Embedded Swift standard library that images link on demand: the
    /// Unicode tables that `Character`-level String operations need. Only the members an
    /// image references are linked.
    public func embeddedLibraries(triple: String) -> [String] {
        let toolchainRoot = URL(fileURLWithPath: swift).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent()
        let tables = toolchainRoot.appendingPathComponent("lib/swift/embedded/\(triple)/libswiftUnicodeDataTables.a").path
        return FileManager.default.fileExists(atPath: tables) ? [tables] : []
    }
}

import Foundation
import Testing
@testable import HermitKit

@Suite("The unsafe-code audit")
struct UnsafeAuditTests {
    @Test func countsCodeLinesButNotCommentsOrBlankLines() {
        let source = """
            // A comment mentioning unsafe code.
            /// Doc comment: UnsafePointer is not used here.
            /* block
               comment with unsafe */
            let a = 1

            let text = "unsafe inside a string"
            let b = unsafe pointer.load()  // SAFETY: reason
            struct S: @unchecked Sendable {}
            let c = UnsafeMutableRawPointer(bitPattern: 8)
            let d = notunsafe + unsafeness
            """
        let counts = UnsafeAudit.countSwift(source)
        #expect(counts.code == 6)
        #expect(counts.unsafeLines.map(\.line) == [8, 9, 10])
    }

    @Test func countsAssemblyAndCLines() {
        #expect(UnsafeAudit.countAssemblyOrC("// header\n#include <x.h>\n\n/* c */ int x;\n  movq %rax, %rbx\n") == 3)
    }

    @Test func flagsUnsafeCodeOutsideX86AndBoot() throws {
        let audit = try Self.audit(of: [("Libs/X86/Sources/A.swift", "let p = unsafe q\n"),
                             ("Libs/Sched/Sources/B.swift", "let a = 1\nnonisolated(unsafe) var b = 2\n"),
                             ("Libs/Sched/Sources/c.S", "nop\n"),
                             ("Apps/hello/H.swift", "print(1)\n")])
        #expect(audit.rows.map(\.module) == ["Sched", "X86", "Apps"])
        #expect(audit.violations.map(\.description) == ["Libs/Sched/Sources/B.swift:2: nonisolated(unsafe) var b = 2",
                                                        "Libs/Sched/Sources/c.S:1: assembly or C outside X86 and Boot"])
        #expect(audit.total.swiftLines == 4 && audit.total.unsafeSwiftLines == 2 && audit.total.assemblyAndCLines == 1)
        #expect(audit.table().contains("UNSAFE CODE OUTSIDE X86 AND BOOT (2 lines)"))
    }

    /// The shims take addresses as integers and Swift imports them as safe: outside X86 and
    /// Boot, importing them is refused like `unsafe` (a safe call of `x86_write_cr3` type-checks).
    @Test func flagsTheFencesCLayerOutsideX86AndBoot() throws {
        let audit = try Self.audit(of: [("Libs/X86/Sources/A.swift", "import X86Shim\n"),
                             ("Libs/Sched/Sources/B.swift", "import X86\n@_exported import X86Shim\n// X86Shim in a comment\n"),
                             ("Apps/hello/H.swift", "import BootEntry\n")])
        #expect(audit.violations.map(\.description).sorted() == [
            "Apps/hello/H.swift:1: import BootEntry (the fence's C layer outside X86 and Boot)",
            "Libs/Sched/Sources/B.swift:2: @_exported import X86Shim (the fence's C layer outside X86 and Boot)"])
        #expect(audit.total.unsafeSwiftLines == 0)
    }

    @Test func countsPublicDeclarationsAndTheUnsafeOnes() {
        let source = """
            // public func commented() {}
            /// @unsafe public func documented() {}
            /* @unsafe public init() {} */
            public struct Region: Sendable {
                public let base: UInt64
                @inlinable public var end: UInt64 { base }
                @unsafe
                public init(unsafeBase: UInt64) { self.base = unsafeBase }
                @unsafe @inlinable public static func write(_ value: UInt64) {}
                @inline(__always)
                @unsafe
                @inlinable
                public func store(_ value: UInt8) {}
                public private(set) var count = 0
                public mutating func reset() { count = 0 }
                public subscript(index: Int) -> UInt8 { 0 }
                func internalHelper() { let text = "public func inString()"; _ = text }
                public static let zero = 0
                public class var shared: Int { 0 }
            }
            @unsafe
            func notPublic() {}
            public func afterNotPublic() {}
            open class Base {}
            public typealias Address = UInt64
            public extension Region {}
            """
        var surface = FenceSurface(module: "X86")
        surface.add(source: source)
        #expect(surface.publicDeclarations == 14)
        #expect(surface.unsafeDeclarations == 3)
        #expect(surface.soundDeclarations == 11)
    }

    @Test func countsPublicDeclarationsWithoutADocComment() {
        let source = """
            /// Documented.
            public func a() {}
            public func b() {}
            /// Documented above its attribute.
            @unsafe
            public func c() {}
            /// A doc comment that a blank line separates from the declaration.

            public func d() {}
            /// Documented, with a plain comment between.
            // SAFETY: a plain comment.
            public let e = 1
            """
        var surface = FenceSurface(module: "X86")
        surface.add(source: source)
        #expect(surface.publicDeclarations == 5)
        #expect(surface.undocumentedDeclarations == 2)
    }

    @Test func printsTheFenceTable() throws {
        let audit = try Self.audit(of: [("Libs/X86/Sources/A.swift", "public func a() {}\n@unsafe public func b() {}\n"),
                             ("Libs/Boot/Sources/B.swift", "public let c = 1\n"),
                             ("Libs/Sched/Sources/C.swift", "@unsafe public func d() {}\n")])
        #expect(audit.fences == [FenceSurface(module: "Boot", publicDeclarations: 1, unsafeDeclarations: 0, undocumentedDeclarations: 1),
                                 FenceSurface(module: "X86", publicDeclarations: 2, unsafeDeclarations: 1, undocumentedDeclarations: 2)])
        let table = audit.table()
        #expect(table.contains("fence   public decls  @unsafe  sound (documented why)  undocumented"))
        #expect(table.contains("X86                2        1      1"))
        #expect(table.contains("trusted hardware: without an IOMMU"))
    }

    @Test func thisPackageHasUnsafeCodeOnlyInX86AndBoot() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let audit = UnsafeAudit.run(root: root)
        #expect(audit.rows.contains { $0.module == "X86" && $0.unsafeSwiftLines > 0 })
        #expect(audit.fences.map(\.module) == ["Boot", "X86"])
        #expect(audit.fences.allSatisfy { $0.publicDeclarations > 0 })
        #expect(audit.violations.isEmpty, "\(audit.violations)")
    }

    /// The audit of a tree holding just `files` (path, text), made in a scratch folder.
    static func audit(of files: [(String, String)]) throws -> UnsafeAudit {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, text) in files {
            let file = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return UnsafeAudit.run(root: root)
    }
}

@Suite("Reading how QEMU ended")
struct QEMUOutcomeTests {
    @Test func decodesDebugExitStatuses() {
        #expect(QEMURunner.Outcome.fromQEMUStatus(33) == .exited(0))
        #expect(QEMURunner.Outcome.fromQEMUStatus((0x13 << 1) | 1) == .exited(3))
        #expect(QEMURunner.Outcome.fromQEMUStatus(255) == .panicked)
        #expect(QEMURunner.Outcome.fromQEMUStatus(0) == .reset)
        #expect(QEMURunner.Outcome.fromQEMUStatus(1) == .qemuFailed(1))
        #expect(QEMURunner.Outcome.panicked.exitStatus != 0)
    }

    /// A Linux program's statuses the device can carry come back as the program gave them:
    /// 0...100, 117...126, and 129...143 (killed by signals 1...15).
    @Test func decodesLinuxProgramStatuses() {
        #expect(QEMURunner.Outcome.fromQEMUStatus((126 << 1) | 1) == .exited(126))
        #expect(QEMURunner.Outcome.fromQEMUStatus((117 << 1) | 1) == .exited(117))
        #expect(QEMURunner.Outcome.fromQEMUStatus((11 << 1) | 1) == .exited(139))
        #expect(QEMURunner.Outcome.fromQEMUStatus((1 << 1) | 1) == .exited(129))
        #expect(QEMURunner.Outcome.fromQEMUStatus((15 << 1) | 1) == .exited(143))
    }

    @Test func buildsTheCommandLine() {
        var config = ImageConfig(name: "hello", app: "hello", modules: [])
        config.memoryKiB = 2048
        config.commandLine = "x=1"
        let image = BuiltImage(config: config, path: URL(fileURLWithPath: "/i.elf"), debugPath: URL(fileURLWithPath: "/d.elf"), size: 1)
        let arguments = QEMURunner(qemu: "qemu", accelerator: .tcg).arguments(for: image)
        #expect(arguments.starts(with: ["-M", "microvm", "-m", "2048K"]))
        #expect(arguments.contains("shift=0,sleep=off"))
        #expect(arguments.suffix(4) == ["-kernel", "/i.elf", "-append", "x=1"])
        #expect(!QEMURunner(qemu: "qemu", accelerator: .kvm).arguments(for: image).contains("-icount"))
    }

    @Test func findsBacktraceAddressesInSerialOutput() {
        let output = "backtrace:\r\n  #0 0x0000000000111f36\r\n  #1 0x0000000000109a93\r\nrax 0x1\r\n"
        #expect(PanicSymbolizer.backtraceAddresses(in: output) == ["0x0000000000111f36", "0x0000000000109a93"])
    }
}

import Foundation
import Testing
import ELF
import HostProcess

/// The ELF reader against real executables built here by the ordinary toolchain (gcc, static
/// and static-PIE; a dynamically linked system binary), truncations and mutations of them, and
/// hand-made headers: every input gives a checked executable or a named error, never a trap.
@Suite("ELF static executables")
struct StaticExecutableTests {
    static let program = """
        #include <stdio.h>
        #include <pthread.h>
        __thread int perThread = 42;
        int main(int argc, char **argv) { printf("hello %d %s\\n", perThread, argc > 1 ? argv[1] : ""); return 0; }
        """

    /// Builds the program with `gcc` and `flags`; returns the executable's bytes.
    static func compile(_ flags: [String]) throws -> [UInt8] {
        try HostProcess.compileC(program, flags: flags + ["-O1", "-pthread"])
    }

    @Test func aStaticExecutableFromGCCIsAtFixedAddressesWithItsTLSAndHeaders() throws {
        let executable = try StaticExecutable(parsing: try Self.compile(["-static"]))
        #expect(executable.kind == .fixedAddress)
        #expect(executable.span.lowerBound == 0x400000)
        #expect(executable.span.contains(executable.entry))
        #expect(executable.threadLocalStorage.map { $0.memorySize >= 4 } == true, "the __thread variable's template")
        #expect(executable.programHeaderAddress == 0x400040, "AT_PHDR: the table right after the 64-byte header")
        #expect(executable.segments.count >= 2 && !executable.executableStack)
    }

    @Test func aStaticPIEIsPositionIndependentFromZero() throws {
        let executable = try StaticExecutable(parsing: try Self.compile(["-static-pie", "-fPIE"]))
        #expect(executable.kind == .positionIndependent)
        #expect(executable.span.lowerBound == 0)
        #expect(executable.span.contains(executable.entry))
    }

    @Test func aDynamicallyLinkedProgramIsRefusedNamingWhy() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "/bin/ls")))
        #expect(throws: ELFError.dynamicallyLinked) { try StaticExecutable(parsing: bytes) }
        #expect(ELFError.dynamicallyLinked.description.contains("-static"))
    }

    @Test(arguments: [
        (Array("#!/bin/sh\necho hi\n".utf8), ELFError.notELF),
        ([], ELFError.notELF),
        ([0x7F, 0x45, 0x4C, 0x46], ELFError.truncated),
        ([0x7F, 0x45, 0x4C, 0x46, 1, 1, 1] + [UInt8](repeating: 0, count: 57), ELFError.unsupportedFormat),
    ])
    func whatIsNotAnELF64ExecutableIsRefused(bytes: [UInt8], error: ELFError) {
        #expect(throws: error) { try StaticExecutable(parsing: bytes) }
    }

    @Test func headerFieldsThatLieAreRefused() throws {
        let good = try Self.compile(["-static"])
        func patched(_ offset: Int, _ values: [UInt8]) -> [UInt8] {
            var bytes = good
            for (index, value) in values.enumerated() { bytes[offset + index] = value }
            return bytes
        }
        #expect(throws: ELFError.wrongMachine(183)) { try StaticExecutable(parsing: patched(18, [183, 0])) }   // AArch64
        #expect(throws: ELFError.notExecutable(1)) { try StaticExecutable(parsing: patched(16, [1, 0])) }     // ET_REL
        #expect(throws: ELFError.badProgramHeaders) { try StaticExecutable(parsing: patched(54, [32, 0])) }   // e_phentsize
        #expect(throws: ELFError.truncated) { try StaticExecutable(parsing: patched(32, [0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])) }
        #expect(throws: ELFError.noEntryPoint) { try StaticExecutable(parsing: patched(24, [0, 0, 0, 0, 0, 0, 0, 0])) }
        #expect(throws: ELFError.truncated) { try StaticExecutable(parsing: Array(good.prefix(4096))) }
    }

    /// A PT_PHDR whose table is not inside a loaded segment (found by the elf fuzz target: its
    /// address plus a PIE's load bias overflowed in the loader's plan).
    @Test func aProgramHeaderTableOutsideTheLoadedSegmentsIsRefused() throws {
        func file(phdrAddress: UInt64) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: 0x200)
            func put(_ value: UInt64, _ size: Int, at offset: Int) { for index in 0..<size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) } }
            bytes[0...3] = [0x7F, 0x45, 0x4C, 0x46]
            bytes[4] = 2; bytes[5] = 1; bytes[6] = 1
            put(3, 2, at: 16); put(62, 2, at: 18); put(1, 4, at: 20); put(0x180, 8, at: 24); put(64, 8, at: 32)
            put(64, 2, at: 52); put(56, 2, at: 54); put(2, 2, at: 56)
            put(6, 4, at: 64); put(4, 4, at: 68); put(64, 8, at: 72); put(phdrAddress, 8, at: 80); put(112, 8, at: 96); put(112, 8, at: 104)
            put(1, 4, at: 120); put(5, 4, at: 124); put(0, 8, at: 128); put(0, 8, at: 136); put(0x200, 8, at: 152); put(0x200, 8, at: 160)
            put(0x1000, 8, at: 168)
            return bytes
        }
        #expect(try StaticExecutable(parsing: file(phdrAddress: 64)).programHeaderAddress == 64)
        #expect(throws: ELFError.badProgramHeaders) { try StaticExecutable(parsing: file(phdrAddress: .max)) }
        #expect(throws: ELFError.badProgramHeaders) { try StaticExecutable(parsing: file(phdrAddress: 0x1F0)) }   // runs past the segment
    }

    /// Truncations at every length up to 2 KiB and 5,000 random mutations of the header and
    /// program headers: each gives an error or an executable that keeps every guarantee.
    @Test func truncatedAndMutatedExecutablesNeverTrapAndKeepTheGuarantees() throws {
        let good = try Self.compile(["-static"])
        var inputs: [[UInt8]] = (0..<2048).map { Array(good.prefix($0)) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                bytes[Int.random(in: 0..<(64 + 56 * 12), using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            inputs.append(bytes)
        }
        var accepted = 0
        for bytes in inputs {
            guard let executable = try? StaticExecutable(parsing: bytes) else { continue }
            accepted += 1
            var previousEnd: UInt64 = 0
            for segment in executable.segments {
                #expect(segment.fileOffset + segment.fileSize <= UInt64(bytes.count) && segment.fileSize <= segment.memorySize)
                #expect(segment.address >= previousEnd && executable.span.lowerBound <= segment.address)
                previousEnd = segment.address + segment.memorySize
                #expect(previousEnd <= executable.span.upperBound && previousEnd <= StaticExecutable.addressLimit)
            }
            #expect(executable.span.contains(executable.entry))
        }
        #expect(accepted > 0, "some mutations keep a valid executable")
    }
}

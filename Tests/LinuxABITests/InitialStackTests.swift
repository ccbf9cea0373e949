import Foundation
import Testing
import ELF
import HostProcess
import LinuxABI

/// The initial stack read back the way a C library's start-up code reads it (argc, argv,
/// envp, auxv from the stack pointer up), for a real static executable's program headers.
@Suite("The initial Linux stack")
struct InitialStackTests {
    static let top: UInt64 = 0x7FFF_FFFF_F000

    /// The stack as a program sees it: its words and C strings, by address.
    struct Image {
        let stack: InitialStack
        func word(at address: UInt64) -> UInt64? {
            guard address >= stack.bottom, address + 8 <= stack.bottom + UInt64(stack.bytes.count) else { return nil }
            let offset = Int(address - stack.bottom)
            return (0..<8).reduce(UInt64(0)) { $0 | UInt64(stack.bytes[offset + $1]) << UInt64(8 * $1) }
        }
        func string(at address: UInt64) -> String? {
            guard address >= stack.bottom, address < stack.bottom + UInt64(stack.bytes.count) else { return nil }
            let start = Int(address - stack.bottom)
            guard let end = stack.bytes[start...].firstIndex(of: 0) else { return nil }
            return String(decoding: stack.bytes[start..<end], as: UTF8.self)
        }
        /// argc, argv, envp and the auxiliary vector, as libc's `_start` finds them.
        func read() -> (arguments: [String], environment: [String], auxiliary: [UInt64: UInt64])? {
            var cursor = stack.stackPointer
            guard let argc = word(at: cursor) else { return nil }
            cursor += 8
            var arguments: [String] = []
            for _ in 0..<argc {
                guard let pointer = word(at: cursor), let text = string(at: pointer) else { return nil }
                arguments.append(text)
                cursor += 8
            }
            guard word(at: cursor) == 0 else { return nil }
            cursor += 8
            var environment: [String] = []
            while let pointer = word(at: cursor), pointer != 0 {
                guard let text = string(at: pointer) else { return nil }
                environment.append(text)
                cursor += 8
            }
            cursor += 8
            var auxiliary: [UInt64: UInt64] = [:]
            while let type = word(at: cursor), let value = word(at: cursor + 8) {
                if type == 0 { return (arguments, environment, auxiliary) }
                auxiliary[type] = value
                cursor += 16
            }
            return nil
        }
    }

    static func gccStatic() throws -> StaticExecutable { try StaticExecutable(parsing: try gccStaticBytes()) }

    /// A trivial C program built by gcc with `-static` (or `-static-pie`).
    static func gccStaticBytes(pie: Bool = false) throws -> [UInt8] {
        try HostProcess.compileC("int main(void) { return 0; }\n", flags: pie ? ["-static-pie", "-fPIE"] : ["-static"])
    }

    @Test func aProgramFindsItsArgumentsEnvironmentAndAuxiliaryVector() throws {
        let executable = try Self.gccStatic()
        let program = try #require(InitialStack.Program(executable, bias: 0, executableName: "/hello", hardwareCapabilities: 0x178B_FBFF))
        let random: [UInt8] = Array(1...16)
        let stack = try InitialStack.make(top: Self.top, arguments: ["/hello", "--name", "wörld", ""],
                                          environment: ["HOME=/", "GLIBC_TUNABLES=glibc.malloc.arena_max=1"], program: program, random: random)
        #expect(stack.stackPointer % 16 == 0, "the psABI's alignment at entry")
        #expect(stack.bottom + UInt64(stack.bytes.count) == Self.top)
        let read = try #require(Image(stack: stack).read())
        #expect(read.arguments == ["/hello", "--name", "wörld", ""])
        #expect(read.environment == ["HOME=/", "GLIBC_TUNABLES=glibc.malloc.arena_max=1"])
        let aux = read.auxiliary
        #expect(aux[AuxiliaryType.programHeaders.rawValue] == 0x400040 && aux[AuxiliaryType.programHeaderSize.rawValue] == 56)
        #expect(aux[AuxiliaryType.programHeaderCount.rawValue] == UInt64(executable.file.programHeaders.count))
        #expect(aux[AuxiliaryType.entry.rawValue] == executable.entry && aux[AuxiliaryType.pageSize.rawValue] == 4096)
        #expect(aux[AuxiliaryType.interpreterBase.rawValue] == 0 && aux[AuxiliaryType.secure.rawValue] == 0)
        #expect(aux[AuxiliaryType.hardwareCapabilities.rawValue] == 0x178B_FBFF)
        let randomAddress = try #require(aux[AuxiliaryType.random.rawValue])
        #expect((0..<2).compactMap { Image(stack: stack).word(at: randomAddress + UInt64(8 * $0)) }
                == [0x0807_0605_0403_0201, 0x100F_0E0D_0C0B_0A09], "AT_RANDOM points at the 16 bytes")
        #expect(aux[AuxiliaryType.executableName.rawValue].flatMap { Image(stack: stack).string(at: $0) } == "/hello")
        #expect(aux[AuxiliaryType.platform.rawValue].flatMap { Image(stack: stack).string(at: $0) } == "x86_64")
        #expect(aux[AuxiliaryType.minimumSignalStackSize.rawValue] != nil)
    }

    @Test func whatCannotBeAStackIsRefused() throws {
        let program = InitialStack.Program(programHeaders: 0x400040, programHeaderCount: 10, entry: 0x401000, executableName: "/p", hardwareCapabilities: 0)
        #expect(throws: InitialStack.Refusal.stringHoldsNUL) {
            try InitialStack.make(top: Self.top, arguments: ["a\u{0}b"], environment: [], program: program, random: [])
        }
        #expect(throws: InitialStack.Refusal.tooLarge) {
            try InitialStack.make(top: Self.top, arguments: [String(repeating: "x", count: 300_000)], environment: [], program: program, random: [])
        }
        #expect(throws: InitialStack.Refusal.badTop) {
            try InitialStack.make(top: Self.top + 8, arguments: [], environment: [], program: program, random: [])
        }
        #expect(throws: InitialStack.Refusal.badTop) {
            try InitialStack.make(top: 0x1000, arguments: ["a"], environment: [], program: program, random: [])
        }
    }

    /// 500 random argument and environment lists (any Unicode, empty strings, many entries):
    /// each reads back exactly, aligned, inside its bytes.
    @Test func randomCommandLinesReadBackExactly() throws {
        let program = InitialStack.Program(programHeaders: 0x400040, programHeaderCount: 10, entry: 0x401000, executableName: "/p", hardwareCapabilities: 0)
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09 =-_./é€\u{1F600}\t\"'")
        for _ in 0..<500 {
            func strings() -> [String] {
                (0..<Int.random(in: 0...40, using: &random)).map { _ in String((0..<Int.random(in: 0...30, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
            }
            let arguments = strings(), environment = strings()
            let stack = try InitialStack.make(top: Self.top, arguments: arguments, environment: environment, program: program, random: [7, 7])
            #expect(stack.stackPointer % 16 == 0)
            let read = try #require(Image(stack: stack).read())
            #expect(read.arguments == arguments && read.environment == environment)
        }
    }
}

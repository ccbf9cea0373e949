import ELF

/// The stack a Linux program finds at its entry point (the x86-64 psABI §3.4.1, as Linux's
/// `create_elf_tables` lays it out): from the stack pointer up, `argc`, the argument
/// pointers and a null, the environment pointers and a null, the auxiliary vector ending in
/// `AT_NULL`, then the 16 random bytes `AT_RANDOM` points at, the platform name, and the
/// strings themselves, NUL-terminated, with the executable's name last.
///
/// Guarantees: ``make(top:arguments:environment:program:random:)`` either returns bytes to
/// place just below `top` and a stack pointer inside them that is 16-byte aligned and points at
/// `argc`, every pointer in them aimed at a NUL-terminated string or the random bytes inside
/// the same bytes, or refuses (an argument or variable holding a NUL, more than
/// ``maximumStringBytes`` of strings, or more than ``maximumStrings`` of them, or a `top` that
/// is misaligned or too low), so anything on
/// the command line becomes a well-formed stack or a clear error.
public struct InitialStack: Sendable, Equatable {
    /// What the auxiliary vector says about the program.
    public struct Program: Sendable, Equatable {
        /// Where the program headers are in memory (AT_PHDR), their count, and the entry point,
        /// all with the load bias added.
        public var programHeaders: UInt64
        public var programHeaderCount: Int
        public var entry: UInt64
        /// The path the program was started as (AT_EXECFN, and `/proc/self/exe`).
        public var executableName: String
        /// CPUID leaf 1's EDX (AT_HWCAP) and the AT_HWCAP2 bits.
        public var hardwareCapabilities: UInt64
        public var hardwareCapabilities2: UInt64 = 0
        /// AT_MINSIGSTKSZ: the signal frame's size with the processor's XSAVE area.
        public var minimumSignalStackSize: UInt64 = 2048

        public init(programHeaders: UInt64, programHeaderCount: Int, entry: UInt64, executableName: String, hardwareCapabilities: UInt64) {
            self.programHeaders = programHeaders
            self.programHeaderCount = programHeaderCount
            self.entry = entry
            self.executableName = executableName
            self.hardwareCapabilities = hardwareCapabilities
        }

        /// The auxiliary values of `executable` loaded with `bias` added to its addresses.
        public init?(_ executable: StaticExecutable, bias: UInt64, executableName: String, hardwareCapabilities: UInt64) {
            guard let headers = executable.programHeaderAddress else { return nil }
            self.init(programHeaders: headers &+ bias, programHeaderCount: executable.file.programHeaders.count,
                      entry: executable.entry &+ bias, executableName: executableName, hardwareCapabilities: hardwareCapabilities)
        }
    }

    /// Why a stack could not be built.
    public enum Refusal: Error, Equatable, Sendable {
        /// An argument or environment variable holds a NUL byte (it cannot be a C string).
        case stringHoldsNUL
        /// The strings are too long, or too many.
        case tooLarge
        /// The stack's top is not 16-byte aligned, or too low to hold the strings.
        case badTop
    }

    /// Bytes of argument and environment strings accepted (Linux allows a quarter of the
    /// stack limit; a quarter of 8 MiB is 2 MiB, and a unikernel's command line is far smaller).
    public static let maximumStringBytes = 256 * 1024
    public static let maximumStrings = 4096
    public static let platform = "x86_64"

    /// The bytes to copy so that they end at `top`.
    public let bytes: [UInt8]
    /// Where `argc` is: the program's initial stack pointer.
    public let stackPointer: UInt64
    /// Where the bytes begin (`top - bytes.count`): the table starts the bytes, so this is the
    /// stack pointer.
    public var bottom: UInt64 { stackPointer }

    public static func make(top: UInt64, arguments: [String], environment: [String], program: Program,
                            random: [UInt8]) throws(Refusal) -> InitialStack {
        var strings: [[UInt8]] = []
        for text in arguments + environment + [program.executableName] {
            let bytes = Array(text.utf8)
            guard !bytes.contains(0) else { throw .stringHoldsNUL }
            strings.append(bytes + [0])
        }
        let stringBytes = strings.reduce(0) { $0 + $1.count }
        guard stringBytes <= maximumStringBytes, strings.count <= maximumStrings else { throw .tooLarge }
        guard top % 16 == 0, top >= UInt64(stringBytes + 65_536) else { throw .badTop }
        // The string area, growing down from `top`: the executable's name last (highest).
        var area: [UInt8] = []
        var addresses: [UInt64] = Array(repeating: 0, count: strings.count)
        let areaSize = stringBytes + 16 + platform.utf8.count + 1
        let areaBottom = top - UInt64(areaSize)
        var cursor = areaBottom
        let randomAddress = cursor
        area += random.prefix(16) + Array(repeating: 0, count: max(0, 16 - random.count))
        cursor += 16
        let platformAddress = cursor
        area += Array(platform.utf8) + [0]
        cursor += UInt64(platform.utf8.count + 1)
        for (index, string) in strings.enumerated() {
            addresses[index] = cursor
            area += string
            cursor += UInt64(string.count)
        }
        let argumentAddresses = Array(addresses[0..<arguments.count])
        let environmentAddresses = Array(addresses[arguments.count..<(arguments.count + environment.count)])
        let nameAddress = addresses[strings.count - 1]

        let auxiliary: [(AuxiliaryType, UInt64)] = [
            (.hardwareCapabilities, program.hardwareCapabilities), (.pageSize, 4096), (.clockTicks, 100),
            (.programHeaders, program.programHeaders), (.programHeaderSize, 56), (.programHeaderCount, UInt64(program.programHeaderCount)),
            (.interpreterBase, 0), (.flags, 0), (.entry, program.entry), (.userID, 0), (.effectiveUserID, 0), (.groupID, 0),
            (.effectiveGroupID, 0), (.secure, 0), (.random, randomAddress), (.hardwareCapabilities2, program.hardwareCapabilities2),
            (.executableName, nameAddress), (.platform, platformAddress), (.minimumSignalStackSize, program.minimumSignalStackSize),
            (.end, 0),
        ]
        // argc, argv..., 0, envp..., 0, auxv pairs: all 8-byte words, starting 16-byte aligned.
        var words: [UInt64] = [UInt64(arguments.count)] + argumentAddresses + [0] + environmentAddresses + [0]
        for (type, value) in auxiliary { words += [type.rawValue, value] }
        let tableSize = UInt64(words.count * 8)
        let stackPointer = (areaBottom - tableSize) & ~15
        let gap = Int(areaBottom - (stackPointer + tableSize))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(tableSize) + gap + area.count)
        for word in words { LittleEndian.append(word, to: &bytes) }
        bytes += Array(repeating: 0, count: gap)
        bytes += area
        return InitialStack(bytes: bytes, stackPointer: stackPointer)
    }
}

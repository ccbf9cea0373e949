import CPIO
import ELF

/// An unmodified static Linux program made ready to start: found in the initrd (the raw
/// executable, or a newc cpio holding it and its files), checked, planned into memory, with
/// its initial stack and the file system it will see.
///
/// Guarantees: either every part is ready — the executable passed ``StaticExecutable``'s
/// checks, its ``LoadPlan`` fits the program window, its ``InitialStack`` is built, its
/// ``FileSystem`` holds the archive's files and the ``StandardFiles`` — or a ``Failure`` says
/// which step refused and why, in words a user can act on. The executable is read where it
/// lies in the initrd: nothing is copied out of the archive.
public struct LinuxProgram {
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The VMM passed no boot module (`-initrd`).
        case noInitrd
        /// The initrd starts like a cpio archive but is not a valid one.
        case badArchive(CPIOError)
        /// The archive holds no program at the path (or no `/init`, and no single executable).
        case noExecutable(String)
        /// The program is not a static x86-64 executable.
        case notAnExecutable(path: String, ELFError)
        /// The program does not fit the address space at its addresses.
        case doesNotFit(path: String)
        /// The arguments or environment cannot form the initial stack.
        case badArguments(InitialStack.Refusal)

        public var description: String {
            switch self {
            case .noInitrd: "no program: boot with the executable (or a cpio archive holding it) as the initrd (QEMU's -initrd)"
            case .badArchive(let error): "the initrd is not a valid cpio archive: \(error)"
            case .noExecutable(let path): "the initrd holds no program at \(path)"
            case .notAnExecutable(let path, let error): "\(path): \(error)"
            case .doesNotFit(let path): "\(path) does not fit the program's address space"
            case .badArguments: "the command line's arguments or environment cannot be given to the program"
            }
        }
    }

    /// Where the stack's top is, and its size (the 8 MiB `ulimit -s` of Linux).
    public static let stackTop: UInt64 = 0x7FFF_FFFF_F000
    public static let stackSize: UInt64 = 8 << 20
    /// Where a static PIE goes (Linux's ELF_ET_DYN_BASE for x86-64).
    public static let positionIndependentBase: UInt64 = 0x5555_5555_4000
    /// The addresses programs may use: above the kernel's first 4 MiB, below the stack.
    public static let window: Range<UInt64> = 0x40_0000..<(stackTop - stackSize)
    /// What a program finds in its environment unless the configuration says otherwise
    /// (one malloc arena: each would reserve 128 MiB, LINUX-ABI.md).
    public static let defaultEnvironment = ["HOME=/", "PATH=/bin:/usr/bin", "LANG=C.UTF-8", "GLIBC_TUNABLES=glibc.malloc.arena_max=1"]

    public let path: String
    public let executable: StaticExecutable
    public let plan: LoadPlan
    public let stack: InitialStack
    public let fileSystem: FileSystem

    public init(initrd: [UInt8]?, executablePath: String? = nil, arguments: [String], environment: [String] = LinuxProgram.defaultEnvironment,
                processors: Int, memoryBytes: UInt64, random: [UInt8], hardwareCapabilities: UInt64) throws(Failure) {
        guard let initrd, !initrd.isEmpty else { throw .noInitrd }
        var archive: CPIOReader? = nil
        let path: String
        // The executable is read where it lies in the initrd (a member's bytes are a range of
        // the archive): no copy of it is made.
        let range: Range<Int>
        if initrd.starts(with: Array("07070".utf8)) {
            let reader: CPIOReader
            do { reader = try CPIOReader(parsing: initrd) } catch { throw .badArchive(error) }
            archive = reader
            guard let member = LinuxProgram.program(in: reader, named: executablePath) else { throw .noExecutable(executablePath ?? "/init") }
            path = "/" + member.path
            range = member.data
        } else {
            path = executablePath.map { $0.hasPrefix("/") ? $0 : "/" + $0 } ?? "/program"
            range = 0..<initrd.count
        }
        let executable: StaticExecutable
        do { executable = try StaticExecutable(parsing: initrd, range: range) } catch { throw .notAnExecutable(path: path, error) }
        let bias = executable.kind == .positionIndependent ? LinuxProgram.positionIndependentBase : 0
        let plan: LoadPlan
        do { plan = try LoadPlan(executable, bias: bias, window: LinuxProgram.window) } catch { throw .doesNotFit(path: path) }
        guard let headers = plan.programHeaders else { throw .notAnExecutable(path: path, .badProgramHeaders) }
        var program = InitialStack.Program(programHeaders: headers, programHeaderCount: executable.file.programHeaders.count,
                                           entry: plan.entry, executableName: path, hardwareCapabilities: hardwareCapabilities)
        program.minimumSignalStackSize = 2048
        do {
            stack = try InitialStack.make(top: LinuxProgram.stackTop, arguments: [path] + arguments, environment: environment,
                                          program: program, random: random)
        } catch { throw .badArguments(error) }
        var extras = StandardFiles.extras(executable: path, processors: processors, memoryBytes: memoryBytes, processorName: "SwiftyHermit virtual CPU")
        if archive == nil { extras.append(.file(path: path, bytes: initrd)) }   // the raw program is a file too (/proc/self/exe)
        fileSystem = FileSystem(archive: archive, extras: extras, temporary: TemporaryStore(capacity: memoryBytes / 2))
        self.path = path
        self.executable = executable
        self.plan = plan
    }

    /// The member to run: the one named, else `/init`, else the only executable regular file.
    static func program(in archive: CPIOReader, named name: String?) -> CPIOReader.Member? {
        if let name { return archive.member(name).flatMap { $0.isRegularFile ? $0 : nil } }
        if let initial = archive.member("init"), initial.isRegularFile { return initial }
        let executables = archive.members.filter { $0.isRegularFile && $0.mode & 0o111 != 0 }
        return executables.count == 1 ? executables[0] : nil
    }
}

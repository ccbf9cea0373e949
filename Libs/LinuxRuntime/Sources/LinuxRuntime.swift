import Alloc
import Boot
import LinuxABI
import Net
import Paging
import Sched
import Synchronization
import X86

/// Runs the unmodified static Linux program that arrived as the boot module: loads it into
/// its pages, builds its stack, and enters it in ring 3; then serves its system calls
/// (LinuxABI's ``LinuxProcess`` is the policy, this is the mechanism: pages, the FS base,
/// sleeping, the exit) and ends it the way Linux would when it faults.
///
/// Guarantees: the program reaches memory only through its own pages (``UserAddressSpace``)
/// and the kernel reaches the program's memory only through checked copies, so a wrong
/// pointer is `EFAULT` and a wild access a segmentation fault report — never a kernel fault.
/// Pages are backed on first touch exactly where a mapping allows that access, and frames
/// of ranges the program gives back return to the allocator after their TLB flush. A
/// program that cannot be started is named with the reason and ends with status 126. With a
/// network module linked, the card is up with its address before the program's first
/// instruction (``startNetwork(kernelWords:)``).
public enum LinuxRuntime {
    /// The boot module's bytes, until the program is started.
    static let initrd = InterruptSafeLock<[UInt8]?>(nil)
    /// The process, once started.
    static let process = InterruptSafeLock<LinuxProcess?>(nil)
    /// The process's mappings as the page-fault path sees them: a copy refreshed after every
    /// call that changes them (the fault path cannot wait for the process's lock).
    static let faultMappings = InterruptSafeLock<MemoryMappings?>(nil)
    /// The program's path, for fault reports.
    static let programName = InterruptSafeLock<String>("program")
    static let memory = KernelProgramMemory()

    /// The status a program that cannot be started ends with (a shell's "cannot execute").
    public static let cannotExecute: Int32 = 126

    /// Starts the program named by the command line (kernel words, `--`, its arguments) and
    /// never returns: the virtual machine ends with the program's exit status.
    public static func run(commandLine text: String, memoryBytes: UInt64) -> Never {
        let line = ProgramCommandLine(text)
        if line.kernelWords.contains("memory_report") { reportsMemory.withLock { $0 = true } }
        if line.kernelWords.contains("profile") { SampleProfiler.start(); CallProfile.start() }
        let bytes = initrd.withLock { $0.take() }
        let program: LinuxProgram
        do {
            program = try LinuxProgram(initrd: bytes, executablePath: line.executablePath, arguments: line.arguments,
                                       environment: line.environment(over: LinuxProgram.defaultEnvironment),
                                       processors: Threads.coreCount, memoryBytes: memoryBytes, random: randomBytes(16),
                                       hardwareCapabilities: UInt64(CPUID.query(leaf: 1).edx))
        } catch {
            refuse("\(error)")
        }
        programName.withLock { $0 = program.path }
        program.fileSystem.temporary?.room = { UInt64(Frames.counts.free) * 4096 }   // /tmp grows only while the heap can
        let loaded = ProgramLoader.load(program)
        if let failure = loaded.failure { refuse(failure) }
        let console = StandardFiles.consolePath
        let files: FileDescriptorTable
        do {
            files = FileDescriptorTable(fileSystem: program.fileSystem, console: try program.fileSystem.lookup(console))
        } catch {
            refuse("the file system has no \(console)")
        }
        let started = LinuxProcess(mappings: loaded.mappings, files: files, programEnd: UserAddressSpace.areaStart,
                                   processors: Threads.coreCount,
                                   console: { bytes in for byte in bytes { Console.write(byte: byte) } },
                                   monotonicClock: { ProgramClock.monotonicNanoseconds },
                                   realTimeClock: { ProgramClock.realTimeNanoseconds },
                                   random: { randomBytes($0) }, yield: { Threads.yield() })
        started.executable = program.path
        started.programRange = loaded.programRange
        started.tracing = line.tracing
        tracesCalls.store(line.tracing, ordering: .relaxed)
        started.trace = { line in Console.write((line.hasPrefix("unknown system call") ? "hermit: " : "[strace] ") + line + "\n") }
        started.memoryBytes = { (memoryBytes, UInt64(Frames.counts.free) * 4096) }
        started.threadState = { tid in threadState(tid) }
        var waitForFrames: (@Sendable (UInt64?) -> Void)? = nil
        if let network = startNetwork(kernelWords: line.kernelWords) {
            waitForFrames = network.waitForFrames
            started.network = network.stack
        }
        faultMappings.withLock { $0 = started.mappings }
        process.withLock(moving: started) { slot, started in slot = started }
        if let waitForFrames { driveNetwork(waitForFrames) }
        adoptMainThread()
        let registers = UserRegisters(entry: program.plan.entry, stack: program.stack.stackPointer)
        UserMode.enter(registers, fsBase: 0, on: Threads.currentContext)
    }

    /// Whether the machine is ending (the first ``end(status:)`` has begun).
    static let ending = Atomic<Bool>(false)

    /// The bytes of RAM in use outside the frame allocator: the boot module and the program
    /// area (``LinuxRuntimeModule`` records them).
    static let heldOutsideFrames = InterruptSafeLock<(module: UInt64, programArea: UInt64)>((0, 0))

    /// Whether the end reports the memory in use (the kernel word `memory_report`).
    static let reportsMemory = InterruptSafeLock<Bool>(false)

    /// Ends the machine with the program's `status` (the first caller's; later callers wait
    /// for the end); first, when asked, says how much of the machine's memory is in use (frames taken: the initrd's copy, the program's pages, the
    /// kernel's heap), as `hermit: memory in use <KiB> KiB of <KiB> KiB`.
    static func end(status: Int32) -> Never {
        // One ending: a thread that exits while another is printing the reports (an
        // `exit_group` racing the last thread's exit, say) waits for the machine to end.
        if ending.exchange(true, ordering: .acquiringAndReleasing) { while true { CoreScheduler.block() } }
        if reportsMemory.withLock({ $0 }) {
            // All the RAM the program costs: the frames taken, and the two ranges outside the
            // frame allocator — the boot module (its initrd, held where the VMM put it) and the
            // program area (an ET_EXEC program's pages, reserved at boot).
            let counts = Frames.counts
            let held = heldOutsideFrames.withLock { $0 }
            let frames = UInt64(counts.total - counts.free) * 4, total = UInt64(counts.total) * 4
            let module = held.module / 1024, area = held.programArea / 1024
            Console.write("hermit: memory in use \(frames + module + area) KiB of \(total + module + area) KiB "
                          + "(frames \(frames) KiB, initrd module \(module) KiB, program area \(area) KiB)\n")
            if let counters = process.withLock({ $0?.network?.counters }) { Console.write(networkReport(counters)) }
        }
        if SampleProfiler.period != 0 {
            CallProfile.report()
            Console.write("hermit: scheduler switches \(CoreScheduler.switchCount), threads moved \(CoreScheduler.moveCount)\n")
            let (places, total) = SampleProfiler.report(top: 600)
            Console.write("hermit: profile of \(total) samples\n")
            for place in places {
                Console.write("hermit: profile \(place.user ? "program" : "kernel") \(Hex.string(place.address)) \(place.samples)\n")
            }
        }
        DebugExit.exit(programStatus: status)
    }

    /// The stack's counters as one line: frames each way, loss recovery, and every drop that
    /// happened (by its reason).
    static func networkReport(_ counters: NetworkCounters) -> String {
        let drops: [(String, Int)] = [("malformed", counters.malformed), ("bad-checksums", counters.badChecksums),
                                      ("fragments", counters.fragmentsDropped), ("not-for-us", counters.notForUs),
                                      ("unsupported", counters.unsupported), ("no-socket", counters.noSocket),
                                      ("backlog-full", counters.backlogFull), ("unresolved", counters.unresolved),
                                      ("connection-limit", counters.connectionLimit), ("half-open-evicted", counters.halfOpenEvicted),
                                      ("time-wait-evicted", counters.timeWaitEvicted), ("memory-pressure", counters.memoryPressure),
                                      ("out-of-order-dropped", counters.outOfOrderDropped), ("transmit-dropped", counters.transmitDropped),
                                      ("udp-queue-full", counters.udpQueueFull)]
        let dropped = drops.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        return "hermit: network frames in \(counters.framesReceived), out \(counters.framesSent); fast retransmits \(counters.fastRetransmits), "
            + "timeouts \(counters.retransmissionTimeouts), tail probes \(counters.tailLossProbes); dropped: \(dropped.isEmpty ? "none" : dropped)\n"
    }

    /// Says why the program cannot run and ends the machine with ``cannotExecute``.
    static func refuse(_ reason: String) -> Never {
        Console.write("hermit: cannot run the program: " + reason + "\n")
        DebugExit.exit(programStatus: cannotExecute)
    }

    /// `count` random bytes: RDRAND where the processor has it, else TSC-seeded SplitMix64.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        var seed = TimeStampCounter.read()
        while bytes.count < count {
            var value: UInt64
            if let hardware = RandomSource.hardware() {
                value = hardware
            } else {
                seed &+= 0x9E37_79B9_7F4A_7C15
                value = seed
                value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
                value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
                value ^= value >> 31
            }
            for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
        }
        return Array(bytes.prefix(count))
    }
}

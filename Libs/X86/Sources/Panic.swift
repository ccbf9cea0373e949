import Synchronization

/// Kernel panics: a readable report on the console, then QEMU exits with a failure status.
///
/// Guarantees: a panic never returns and never allocates before the report is out; a
/// panic inside a panic stops at once. The report of a CPU exception names the vector, the
/// error code (decoded for page faults), RIP, RSP, CR2 for page faults, the general registers
/// and a frame-pointer backtrace of return addresses (symbolised by `hermit run`).
public enum Panic {
    /// What a panic report may read: the stacks a backtrace can walk and the kernel's code.
    public struct Context: Sendable {
        /// Stacks the backtrace may read.
        public var stacks: [MemoryRegion] = []
        /// The kernel's code, to recognise the trap instruction Swift runtime checks use.
        public var text: MemoryRegion? = nil
        /// Guard pages below stacks (base addresses).
        public var guardPages: [UInt64] = []
        /// An empty context (nothing a backtrace may read).
        public init() {}
    }

    static let context = InterruptSafeLock(Context())
    static let inProgress = Atomic<Bool>(false)

    /// Lets backtraces walk `stack`.
    public static func register(stack: MemoryRegion) {
        context.withLock { $0.stacks.append(stack) }
    }

    /// Stops letting backtraces walk the stack starting at `base` (when a thread ends).
    public static func unregister(stackAt base: UInt64) {
        context.withLock { $0.stacks.removeAll { $0.base == base } }
    }

    /// Tells the panic reporter that the 4 KiB page at `base` is a stack's guard page, so a
    /// double fault caused by touching it is reported as a stack overflow.
    public static func register(guardPage base: UInt64) {
        context.withLock { $0.guardPages.append(base) }
    }

    static func isGuardPage(_ address: UInt64) -> Bool {
        guard let pages = context.withLockIfAvailable({ $0.guardPages }) else { return false }
        for page in pages where address >= page && address < page + 4096 { return true }
        return false
    }

    /// Tells the panic reporter where the kernel's code lies.
    public static func register(text: MemoryRegion) {
        context.withLock { $0.text = text }
    }

    /// Panics with `message`.
    public static func halt(_ message: StaticString) -> Never {
        begin()
        Console.write("\n*** KERNEL PANIC: ")
        Console.write(message)
        Console.write("\n")
        finish(framePointer: Processor.framePointer)
    }

    /// Panics with `message` followed by `value` in decimal (e.g. a request size).
    public static func halt(_ message: StaticString, decimal value: UInt64) -> Never {
        begin()
        Console.write("\n*** KERNEL PANIC: ")
        Console.write(message)
        Console.write(decimal: value)
        Console.write("\n")
        finish(framePointer: Processor.framePointer)
    }

    /// Panics reporting the CPU exception saved in `frame`, with a line saying why the
    /// handler could not resolve it.
    public static func exception(_ frame: InterruptFrame, reason: StaticString) -> Never {
        report(frame, reason: reason)
    }

    /// Panics reporting the CPU exception saved in `frame`.
    public static func exception(_ frame: InterruptFrame) -> Never {
        report(frame, reason: nil)
    }

    static func report(_ frame: InterruptFrame, reason: StaticString?) -> Never {
        begin()
        let vector = UInt8(truncatingIfNeeded: frame.vector)
        Console.write("\n*** KERNEL PANIC: CPU exception ")
        if let known = ExceptionVector(rawValue: vector), vector < 32 {
            Console.write(known.name)
        } else {
            Console.write("unexpected interrupt")
        }
        Console.write(", vector ")
        Console.write(decimal: UInt64(vector))
        if let reason {
            Console.write("\n  reason: ")
            Console.write(reason)
        } else if vector == ExceptionVector.doubleFault.rawValue || vector == ExceptionVector.pageFault.rawValue,
                  isGuardPage(ControlRegisters.cr2) {
            Console.write("\n  reason: kernel stack overflow: the access hit a stack's guard page")
        }
        Console.write("\n  error code ")
        Console.write(hex: frame.errorCode)
        if vector == ExceptionVector.pageFault.rawValue {
            let code = PageFaultErrorCode(rawValue: frame.errorCode)
            Console.write(" (")
            Console.write(code.summary)
            Console.write(code.contains(.user) ? ", user" : ", kernel")
            Console.write(")\n  cr2 ")
            Console.write(hex: ControlRegisters.cr2)
        }
        if vector == ExceptionVector.invalidOpcode.rawValue, isSwiftTrap(at: frame.rip) {
            Console.write("\n  ud2 at rip: a Swift runtime check failed (precondition, bounds, overflow or fatalError)")
        }
        Console.write("\n  rip ")
        Console.write(hex: frame.rip)
        Console.write("  rsp ")
        Console.write(hex: frame.rsp)
        Console.write("  rflags ")
        Console.write(hex: frame.rflags)
        Console.write("\n  cs ")
        Console.write(hex: frame.cs, digits: 4)
        Console.write("  ss ")
        Console.write(hex: frame.ss, digits: 4)
        Console.write("\nregisters:")
        frame.forEachGeneralRegister { index, name, value in
            Console.write(index % 4 == 0 ? "\n  " : "  ")
            Console.write(name)
            Console.write(" ")
            Console.write(hex: value)
        }
        Console.write("\nbacktrace:\n  #0 ")
        Console.write(hex: frame.rip)
        Console.write("\n")
        finish(framePointer: frame.rbp, firstIndex: 1)
    }

    static func begin() {
        Processor.disableInterrupts()
        if inProgress.exchange(true, ordering: .acquiringAndReleasing) {
            Console.write("\n*** KERNEL PANIC while panicking; stopping\n")
            DebugExit.exitAfterPanic()
        }
    }

    static func isSwiftTrap(at rip: UInt64) -> Bool {
        guard let text = context.withLockIfAvailable({ $0.text }) ?? nil,
              text.contains(address: rip, count: 2), let offset = text.offset(of: rip) else { return false }
        return text.load(as: UInt8.self, at: offset) == 0x0F && text.load(as: UInt8.self, at: offset + 1) == 0x0B
    }

    static func finish(framePointer: UInt64, firstIndex: Int = 0) -> Never {
        if firstIndex == 0 { Console.write("backtrace:\n") }
        if let stacks = context.withLockIfAvailable({ $0.stacks }) {
            var index = firstIndex
            Backtrace.walk(framePointer: framePointer, stacks: stacks) { address in
                Console.write("  #")
                Console.write(decimal: UInt64(index))
                Console.write(" ")
                Console.write(hex: address)
                Console.write("\n")
                index += 1
            }
        }
        Console.write("*** end of panic report\n")
        DebugExit.exitAfterPanic()
    }
}

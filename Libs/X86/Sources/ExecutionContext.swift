import Synchronization
import X86Shim

/// A flow of execution with its own stack: running, suspended with its registers saved on
/// its stack, or retired.
///
/// Guarantees: a context owns its ``ThreadStack``; nothing outside the fence can read or
/// write that memory, so the saved registers and return addresses on it stay as X86 wrote
/// them. A context can only be resumed at a stack pointer that X86 itself saved or prepared,
/// only if that pointer lies inside the context's stack, and only if it is suspended; a
/// running context cannot be resumed twice and a retired one never again; so ``switchTo(_:)``
/// cannot jump into arbitrary memory. The state changes are atomic, so two processors
/// racing on one context cannot both win. Only the code running on a context's stack can
/// switch away from it (the stack pointer is checked), with interrupts off. The top 32 bytes
/// of every stack, which the thread never uses, hold the saved stack pointer and a "saved"
/// word that the switch sets only after the pointer is stored: a processor resuming the
/// context, or retiring it, waits for that word, so it never reads a pointer still being
/// written or hands out a stack that is still being left; then, for a thread that runs a
/// program in ring 3 (``UserMode``), its kernel stack top for entries from ring 3 and the
/// program's FS base, which a switch to the context installs (GS:32, the TSS's RSP0,
/// IA32_FS_BASE).
public final class ExecutionContext: @unchecked Sendable {
    // SAFETY: `phase` is atomic; `stack` is touched only by `retire`, after it alone won the
    // compare-exchange from suspended to retired; everything else is immutable.

    /// The lowest address of the context's stack.
    public let stackBase: UInt64
    /// One past the highest address of the context's stack.
    public let stackEnd: UInt64
    let phase: Atomic<UInt8>
    var stack: ThreadStack?

    static let suspended: UInt8 = 0
    static let running: UInt8 = 1
    static let retired: UInt8 = 2

    /// Bytes at the top of every stack reserved for the saved stack pointer, the "saved" word,
    /// and the ring-3 entry stack top and FS base.
    public static let reservedTop = 32
    /// Size of the frame a new context starts from.
    static let initialFrameSize = 64

    /// Whether the context is executing (on some processor) right now.
    public var isRunning: Bool { phase.load(ordering: .acquiring) == ExecutionContext.running }

    var slotAddress: UInt64 { stackEnd - UInt64(ExecutionContext.reservedTop) }

    /// The reserved top of the stack: the saved stack pointer (offset 0) and the "saved"
    /// word (offset 8).
    var slot: MemoryRegion {
        // SAFETY: the top 16 bytes of the context's own stack, reserved for this hand-over.
        unsafe MemoryRegion(unsafeBase: slotAddress, size: ExecutionContext.reservedTop)
    }

    /// Waits until the last switch away from this context has stored its stack pointer.
    func awaitSaved() {
        #if hasFeature(Embedded)
        // SAFETY: an acquire load of the "saved" word in the context's own reserved top.
        while unsafe x86_load_acquire64(slotAddress + 8) != 1 { Processor.pause() }
        #endif
    }

    /// A new, suspended context whose first switch runs the thread entry function with
    /// `argument` on `stack`.
    public init(stack: consuming ThreadStack, argument: UInt64) {
        let memory = stack.memory
        stackBase = stack.base
        stackEnd = stack.end
        phase = Atomic(ExecutionContext.suspended)
        let frame = memory.size - ExecutionContext.reservedTop - ExecutionContext.initialFrameSize
        let controlWords: UInt64 = 0x037F | (0x1F80 << 32)       // x87 control word, MXCSR
        memory.store(controlWords, at: frame)
        for register in 1...6 { memory.store(UInt64(0), at: frame + register * 8) }   // r15 r14 r13 r12 rbx rbp
        memory.store(argument, at: frame + 32)                                          // r12
        #if hasFeature(Embedded)
        memory.store(x86_thread_trampoline_address(), at: frame + 56)
        #endif
        memory.store(memory.base + UInt64(frame), at: memory.size - ExecutionContext.reservedTop)
        memory.store(UInt64(1), at: memory.size - ExecutionContext.reservedTop + 8)   // saved
        memory.store(UInt64(0), at: memory.size - ExecutionContext.reservedTop + 16)  // no program yet
        memory.store(UInt64(0), at: memory.size - ExecutionContext.reservedTop + 24)
        self.stack = .some(stack)
    }

    /// The context of the code running now, on `stack` (a processor's first thread). The
    /// caller promises the code calling this runs on `stack`.
    @unsafe public init(runningOn stack: consuming ThreadStack) {
        stackBase = stack.base
        stackEnd = stack.end
        phase = Atomic(ExecutionContext.running)
        stack.memory.store(UInt64(0), at: stack.size - ExecutionContext.reservedTop + 8)   // not saved: it runs
        stack.memory.store(UInt64(0), at: stack.size - ExecutionContext.reservedTop + 16)
        stack.memory.store(UInt64(0), at: stack.size - ExecutionContext.reservedTop + 24)
        self.stack = .some(stack)
    }

    /// Suspends this context, which must be the one running, and resumes `next`.
    /// Returns when another context switches back to this one. Call with interrupts off.
    public func switchTo(_ next: ExecutionContext) {
        let (slot, resume) = ExecutionContext.handOver(from: self, to: next)
        #if hasFeature(Embedded)
        UserMode.install(next)
        // SAFETY: `slot` is the reserved top of this context's own stack; `resume` was saved or
        // prepared by X86 and checked to lie inside `next`'s stack, which `next` owns.
        unsafe x86_switch_context(UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot)), resume)
        #else
        _ = (slot, resume)
        BareMachine.unavailable("a context switch")
        #endif
    }

    /// Ends a suspended context for good and hands back its stack, for a new context; nil
    /// when the context runs or was retired already. It can never be resumed afterwards.
    public func retire() -> ThreadStack? {
        guard phase.compareExchange(expected: ExecutionContext.suspended, desired: ExecutionContext.retired,
                                    ordering: .acquiringAndReleasing).exchanged else { return nil }
        awaitSaved()   // the processor that left it may still be storing its stack pointer
        return stack.take()
    }

    /// Leaves the running context for good and resumes another. `choose` returns the running
    /// context and the one to resume; both references are dropped before the switch, so the
    /// abandoned stack keeps nothing alive.
    public static func abandonRunning(_ choose: () -> (current: ExecutionContext, next: ExecutionContext)) -> Never {
        let (slot, resume, next) = prepareAbandon(choose)
        #if hasFeature(Embedded)
        UserMode.install(slotAddress: next)
        // SAFETY: as in switchTo; both contexts stay referenced by their owners (the thread
        // table), so their stacks are alive; `slot` is the top of the abandoned stack.
        unsafe x86_switch_context(UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot)), resume)
        #else
        _ = (slot, resume)
        #endif
        Panic.halt("an abandoned context was resumed")
    }

    /// Checks and marks the two contexts and returns the raw switch operands; every
    /// reference taken here is released when it returns.
    @inline(never)
    static func prepareAbandon(_ choose: () -> (current: ExecutionContext, next: ExecutionContext)) -> (UInt64, UInt64, UInt64) {
        let pair = choose()
        let (slot, resume) = handOver(from: pair.current, to: pair.next)
        return (slot, resume, pair.next.slotAddress)
    }

    /// Checks that `current` runs and `next` is a different, suspended context whose saved
    /// stack pointer lies inside its stack; marks the hand-over; returns where to save the
    /// current stack pointer and the one to resume.
    @inline(__always)
    static func handOver(from current: ExecutionContext, to next: ExecutionContext) -> (slot: UInt64, resume: UInt64) {
        precondition(next !== current, "switching to itself")
        #if hasFeature(Embedded)
        precondition(!Processor.interruptsEnabled, "a context switch with interrupts on")
        let here = Processor.stackPointer
        precondition(here >= current.stackBase && here < current.stackEnd, "switching away from a context whose stack is not this one")
        #endif
        precondition(next.phase.compareExchange(expected: suspended, desired: running, ordering: .acquiringAndReleasing).exchanged,
                     "resuming a context that is running or retired")
        next.awaitSaved()
        let slot = next.slot
        let resume = slot.load(as: UInt64.self, at: 0)
        precondition(resume >= next.stackBase && resume + UInt64(initialFrameSize) <= next.stackEnd,
                     "a saved stack pointer lies outside its stack")
        #if hasFeature(Embedded)
        // SAFETY (both): release stores to the "saved" words of the two contexts' own stacks.
        unsafe x86_store_release64(next.slotAddress + 8, 0)      // taken: the next switch away saves anew
        unsafe x86_store_release64(current.slotAddress + 8, 0)   // not saved yet: x86_switch_context sets it
        #else
        slot.store(UInt64(0), at: 8)
        current.slot.store(UInt64(0), at: 8)
        #endif
        precondition(current.phase.compareExchange(expected: running, desired: suspended, ordering: .acquiringAndReleasing).exchanged,
                     "switching away from a context that is not running")
        return (current.slotAddress, resume)
    }

    static let entrySet = Atomic<Bool>(false)
    // SAFETY: written once, guarded by `entrySet`, before any context is prepared (Sched's
    // start-up); read-only afterwards.
    nonisolated(unsafe) static var entry: (@Sendable (UInt64) -> Never)? = nil

    /// Sets the function every new context starts in (Sched's thread start-up). Once only:
    /// a second call panics.
    public static func setEntry(_ entry: @escaping @Sendable (UInt64) -> Never) {
        guard !entrySet.exchange(true, ordering: .acquiringAndReleasing) else { Panic.halt("the thread entry is set once") }
        unsafe ExecutionContext.entry = entry
    }
}

#if hasFeature(Embedded)
/// Called by x86_thread_trampoline on a new context's stack.
@_cdecl("hermit_thread_start")
func hermitThreadStart(_ argument: UInt64) -> Never {
    guard let entry = unsafe ExecutionContext.entry else { Panic.halt("a thread started before Sched set its entry") }
    entry(argument)
}
#endif

import X86Shim

/// A flow of execution with its own stack: running, or suspended with its registers saved
/// on its stack.
///
/// Guarantees: a context can only be resumed at a stack pointer that X86 itself saved or
/// prepared, and only if that pointer lies inside the context's stack; a running context
/// cannot be resumed twice; so ``switchTo(_:)`` cannot jump into arbitrary memory. The stack
/// pointer of a suspended context is kept in the top 16 bytes of its own stack, which the
/// thread never uses. The stack memory must outlive the context (Sched keeps stacks mapped).
public final class ExecutionContext: @unchecked Sendable {
    // SAFETY: `running` is only changed by `switchTo` with interrupts disabled on the
    // processor doing the switch; Sched serialises switches per context.

    /// The context's stack.
    public let stack: MemoryRegion
    /// Whether the context is executing (on some processor) right now.
    public private(set) var isRunning: Bool

    /// Bytes at the top of every stack reserved for the saved stack pointer.
    public static let reservedTop = 16
    /// Size of the frame a new context starts from.
    static let initialFrameSize = 64

    /// The offset of the saved stack pointer in `stack`.
    var slotOffset: Int { stack.size - ExecutionContext.reservedTop }

    /// A new, suspended context whose first switch runs the thread entry function with
    /// `argument` on `stack` (at least 4 KiB, 16-byte aligned end).
    public init(stack: MemoryRegion, argument: UInt64) {
        precondition(stack.size >= 4096 && stack.end % 16 == 0, "a thread stack needs 4 KiB and a 16-byte aligned top")
        self.stack = stack
        isRunning = false
        let frame = stack.size - ExecutionContext.reservedTop - ExecutionContext.initialFrameSize
        let controlWords: UInt64 = 0x037F | (0x1F80 << 32)       // x87 control word, MXCSR
        stack.store(controlWords, at: frame)
        for register in 1...6 { stack.store(UInt64(0), at: frame + register * 8) }   // r15 r14 r13 r12 rbx rbp
        stack.store(argument, at: frame + 32)                                          // r12
        #if hasFeature(Embedded)
        stack.store(x86_thread_trampoline_address(), at: frame + 56)
        #endif
        stack.store(stack.base + UInt64(frame), at: slotOffset)
    }

    /// The context of the code running now, on `stack` (the boot processor's thread).
    public init(running stack: MemoryRegion) {
        self.stack = stack
        isRunning = true
    }

    /// Suspends this context, which must be the one running, and resumes `next`.
    /// Returns when another context switches back to this one. Call with interrupts off.
    public func switchTo(_ next: ExecutionContext) {
        let (slot, resume) = ExecutionContext.handOver(from: self, to: next)
        #if hasFeature(Embedded)
        // SAFETY: `slot` is the reserved top of this context's own stack (bounds are those of
        // `stack`); `resume` was saved or prepared by X86 and checked to lie inside `next`'s
        // stack, whose memory its owner keeps alive.
        unsafe x86_switch_context(UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot)), resume)
        #else
        BareMachine.unavailable("a context switch")
        #endif
    }

    /// Marks a context that has finished for good as no longer running, so its stack can be
    /// reused for a new context. Only for a context that will never be resumed.
    public func retire() { isRunning = false }

    /// Leaves the running context for good and resumes another. `choose` returns the running
    /// context and the one to resume; both references are dropped before the switch, so the
    /// abandoned stack keeps nothing alive.
    public static func abandonRunning(_ choose: () -> (current: ExecutionContext, next: ExecutionContext)) -> Never {
        let (slot, resume) = prepareAbandon(choose)
        #if hasFeature(Embedded)
        // SAFETY: as in switchTo; both contexts stay referenced by their owners (the thread
        // table), so their stacks are alive; `slot` is the top of the abandoned stack.
        unsafe x86_switch_context(UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot)), resume)
        #endif
        Panic.halt("an abandoned context was resumed")
    }

    /// Checks and marks the two contexts and returns the raw switch operands; every
    /// reference taken here is released when it returns.
    @inline(never)
    static func prepareAbandon(_ choose: () -> (current: ExecutionContext, next: ExecutionContext)) -> (UInt64, UInt64) {
        let pair = choose()
        return handOver(from: pair.current, to: pair.next)
    }

    /// Checks that `current` runs and `next` is a different, suspended context whose saved
    /// stack pointer lies inside its stack; marks the hand-over; returns where to save the
    /// current stack pointer and the one to resume.
    @inline(__always)
    static func handOver(from current: ExecutionContext, to next: ExecutionContext) -> (slot: UInt64, resume: UInt64) {
        precondition(current.isRunning, "switching away from a context that is not running")
        precondition(!next.isRunning, "resuming a context that is already running")
        precondition(next !== current, "switching to itself")
        let resume = next.stack.load(as: UInt64.self, at: next.slotOffset)
        precondition(resume >= next.stack.base && resume + UInt64(initialFrameSize) <= next.stack.end,
                     "a saved stack pointer lies outside its stack")
        current.isRunning = false
        next.isRunning = true
        return (current.stack.base + UInt64(current.slotOffset), resume)
    }

    // SAFETY: set once by Sched before the first thread starts; read-only afterwards.
    nonisolated(unsafe) static var entry: ((UInt64) -> Never)? = nil

    /// Sets the function every new context starts in (Sched's thread start-up).
    public static func setEntry(_ entry: @escaping (UInt64) -> Never) { unsafe ExecutionContext.entry = entry }
}

#if hasFeature(Embedded)
/// Called by x86_thread_trampoline on a new context's stack.
@_cdecl("hermit_thread_start")
func hermitThreadStart(_ argument: UInt64) -> Never {
    guard let entry = unsafe ExecutionContext.entry else { Panic.halt("a thread started before Sched set its entry") }
    entry(argument)
}
#endif

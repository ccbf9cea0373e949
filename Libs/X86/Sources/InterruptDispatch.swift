import X86Shim

/// Routes interrupts and exceptions from X86's entry stubs to Swift handlers.
///
/// Guarantees: a handler gets a copy of the saved frame, read-only: nothing a handler does
/// changes where the interrupted code resumes or which stack it resumes on (the `x86_64`
/// crate marks `InterruptStackFrame::as_mut` unsafe for the same reason). A vector is
/// registered once and never replaced, so no module can take over another's interrupt; the
/// double-fault and machine-check vectors are withheld (both are aborts: returning from them
/// resumes at an undefined address), as is the NMI (it shares their interrupt stack), so they
/// always end in a ``Panic`` report. A vector
/// without a handler — every CPU exception unless a module claimed it — panics, never
/// returns in silence.
public enum InterruptDispatch {
    /// A handler for one vector. It runs with interrupts disabled and sees the saved state.
    public typealias Handler = @Sendable (InterruptFrame) -> Void

    static let handlers = InterruptSafeLock<[Handler?]>([])

    /// Whether a module may claim `vector`.
    public static func isClaimable(_ vector: UInt8) -> Bool {
        vector != ExceptionVector.doubleFault.rawValue && vector != ExceptionVector.machineCheck.rawValue
            && vector != ExceptionVector.nonMaskableInterrupt.rawValue
    }

    /// Installs `handler` for `vector`, for good. Returns false, installing nothing, when the
    /// vector is withheld or already has a handler.
    @discardableResult
    public static func register(vector: UInt8, _ handler: @escaping Handler) -> Bool {
        guard isClaimable(vector) else { return false }
        return handlers.withLock { table in
            if table.isEmpty { table = Array(repeating: nil, count: InterruptDescriptorTable.vectorCount) }
            guard table[Int(vector)] == nil else { return false }
            table[Int(vector)] = handler
            return true
        }
    }

    /// Records processor `processor`'s page-fault stack (IST 2: its top and size) in the
    /// processor's slot (GS:16 and GS:24), so a fault that arrives while that stack is in use —
    /// which would restart the stack from the top and overwrite the frame of the fault being
    /// handled — is refused with a panic. The caller (Boot) calls it before the processor runs.
    @unsafe public static func record(processor: Int, abortStackTop: UInt64, pageFaultStackTop: UInt64, stackBytes: UInt64) {
        precondition(processor >= 0 && processor < Processor.maximumCount, "processor index out of range")
        #if hasFeature(Embedded)
        let slot = x86_processor_slot_address(UInt32(processor))
        // SAFETY: words 2 and 3 of that processor's own 32-byte slot, written before it runs.
        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot + 16)).unsafelyUnwrapped.pointee = pageFaultStackTop
        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot + 24)).unsafelyUnwrapped.pointee = stackBytes
        #endif
    }

    /// Whether a page fault interrupted code that was already on this processor's page-fault
    /// stack.
    @inline(__always) static func reentersItsStack(_ frame: InterruptFrame) -> Bool {
        #if hasFeature(Embedded)
        let top = x86_read_gs16()
        return top != 0 && frame.rsp < top && frame.rsp >= top &- x86_read_gs24()
        #else
        return false
        #endif
    }

    /// Runs the handler registered for the frame's vector, or panics. Only the entry stubs
    /// call it: a dispatch of a made-up frame could fake an interrupt a handler relies on.
    static func dispatch(_ frame: InterruptFrame) {
        let vector = Int(frame.vector & 0xFF)
        // An exception in a program (ring 3) ends the program, not the kernel; page faults go
        // to the pager first, which may serve them.
        if frame.cs & 3 == 3 && vector < 32 && vector != Int(ExceptionVector.pageFault.rawValue) && isClaimable(UInt8(vector)) {
            UserMode.fault(frame, reason: "an exception in the program")
        }
        if vector == Int(ExceptionVector.pageFault.rawValue) && reentersItsStack(frame) {
            Panic.exception(frame, reason: "a page fault while the page-fault stack was in use (a fault inside the fault handler)")
        }
        // Interrupts are off while the lock is held, so this processor never holds it here;
        // another processor holds it only briefly.
        let handler = handlers.withLock { table in table.isEmpty ? nil : table[vector] }
        guard let handler else { Panic.exception(frame) }
        handler(frame)
    }
}

#if hasFeature(Embedded)
/// The C entry point called by the assembly stubs with a pointer to the saved frame.
@_cdecl("hermit_interrupt_dispatch")
func hermitInterruptDispatch(_ frame: UnsafeMutableRawPointer) {
    // SAFETY: the stub passes the address of the 176-byte frame it just pushed on the current
    // stack, laid out as InterruptFrame; it stays valid until this function returns. It is
    // only read: the stub resumes exactly the state the processor saved.
    let state = unsafe frame.load(as: InterruptFrame.self)
    InterruptDispatch.dispatch(state)
}
#endif

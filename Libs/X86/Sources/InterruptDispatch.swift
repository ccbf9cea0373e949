/// Routes interrupts and exceptions from X86's entry stubs to Swift handlers.
///
/// Guarantees: a handler gets a copy of the saved frame, read-only: nothing a handler does
/// changes where the interrupted code resumes or which stack it resumes on (the `x86_64`
/// crate marks `InterruptStackFrame::as_mut` unsafe for the same reason). A vector is
/// registered once and never replaced, so no module can take over another's interrupt; the
/// double-fault and machine-check vectors are withheld (both are aborts: returning from them
/// resumes at an undefined address), so they always end in a ``Panic`` report. A vector
/// without a handler — every CPU exception unless a module claimed it — panics, never
/// returns in silence.
public enum InterruptDispatch {
    /// A handler for one vector. It runs with interrupts disabled and sees the saved state.
    public typealias Handler = @Sendable (InterruptFrame) -> Void

    static let handlers = InterruptSafeLock<[Handler?]>([])

    /// Whether a module may claim `vector`.
    public static func isClaimable(_ vector: UInt8) -> Bool {
        vector != ExceptionVector.doubleFault.rawValue && vector != ExceptionVector.machineCheck.rawValue
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

    /// Runs the handler registered for the frame's vector, or panics.
    public static func dispatch(_ frame: InterruptFrame) {
        let vector = Int(frame.vector & 0xFF)
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

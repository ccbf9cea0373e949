/// Routes interrupts and exceptions from X86's entry stubs to Swift handlers.
///
/// Guarantees: a vector with a registered handler runs it with the saved frame, which the
/// handler may change (for example to resume elsewhere); a vector without one — every CPU
/// exception unless a module claimed it — ends in a ``Panic`` report, never in silence.
public enum InterruptDispatch {
    /// A handler for one vector. It runs with interrupts disabled.
    public typealias Handler = @Sendable (inout InterruptFrame) -> Void

    static let handlers = InterruptSafeLock<[Handler?]>([])

    /// Installs `handler` for `vector`, replacing any earlier one.
    public static func register(vector: UInt8, _ handler: @escaping Handler) {
        handlers.withLock { table in
            if table.isEmpty { table = Array(repeating: nil, count: InterruptDescriptorTable.vectorCount) }
            table[Int(vector)] = handler
        }
    }

    /// Removes the handler of `vector`.
    public static func unregister(vector: UInt8) {
        handlers.withLock { table in
            if !table.isEmpty { table[Int(vector)] = nil }
        }
    }

    /// Runs the handler registered for the frame's vector, or panics.
    public static func dispatch(_ frame: inout InterruptFrame) {
        let vector = Int(frame.vector & 0xFF)
        // Interrupts are off while the lock is held, so this processor never holds it here;
        // another processor holds it only briefly.
        let handler = handlers.withLock { table in table.isEmpty ? nil : table[vector] }
        guard let handler else { Panic.exception(frame) }
        handler(&frame)
    }
}

#if hasFeature(Embedded)
/// The C entry point called by the assembly stubs with a pointer to the saved frame.
@_cdecl("hermit_interrupt_dispatch")
func hermitInterruptDispatch(_ frame: UnsafeMutableRawPointer) {
    // SAFETY: the stub passes the address of the 176-byte frame it just pushed on the current
    // stack, laid out as InterruptFrame; it stays valid until this function returns.
    var state = unsafe frame.load(as: InterruptFrame.self)
    InterruptDispatch.dispatch(&state)
    // SAFETY: same frame, written back so the stub restores the handler's changes.
    unsafe frame.storeBytes(of: state, as: InterruptFrame.self)
}
#endif

import Synchronization

/// An interrupt-safe ticket spin lock that guards no value and needs no heap memory: for the
/// fence's own state that must work before (or inside) the heap, such as the runtime
/// allocator's.
///
/// Guarantees: ``withLock(_:)`` runs its body with interrupts off on this processor and with
/// no other processor inside the same lock, processors served in the order they asked. It is
/// a plain value in static storage, so creating it allocates nothing. Guarding no value, it
/// cannot itself break memory safety; the fence code that keeps data under it says why that
/// data is only touched inside.
public struct TicketLock: ~Copyable, Sendable {
    let nextTicket = Atomic<UInt32>(0)
    let serving = Atomic<UInt32>(0)

    /// A free lock.
    public init() {}

    /// Runs `body` holding the lock.
    @inline(__always)
    public func withLock<R: ~Copyable, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let wereEnabled = Processor.interruptsEnabled
        if wereEnabled { Processor.disableInterrupts() }
        let ticket = nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
        var spins = 0
        while serving.load(ordering: .acquiring) != ticket {
            Processor.pause()
            spins += 1
            if spins == 1 << 28 { Panic.halt("deadlock: a ticket lock stayed held for 2^28 spins") }
        }
        defer {
            serving.wrappingAdd(1, ordering: .releasing)
            if wereEnabled { Processor.enableInterrupts() }
        }
        return try body()
    }
}

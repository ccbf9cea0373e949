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
    @usableFromInline let nextTicket = Atomic<UInt32>(0)
    @usableFromInline let serving = Atomic<UInt32>(0)

    /// A free lock.
    public init() {}

    /// Runs `body` holding the lock.
    @inlinable @inline(__always)
    public func withLock<R: ~Copyable, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let wereEnabled = enter()
        defer { leave(wereEnabled) }
        return try body()
    }

    /// Turns interrupts off on this processor and takes the lock, waiting in ticket order;
    /// returns whether interrupts were on, for ``leave(_:)``. (X86's locks build on these.)
    @inlinable @inline(__always)
    func enter() -> Bool {
        let wereEnabled = Processor.interruptsEnabled
        if wereEnabled { Processor.disableInterrupts() }
        let ticket = nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
        if serving.load(ordering: .acquiring) != ticket { wait(for: ticket) }
        return wereEnabled
    }

    /// Spins until `ticket` is served; a panic after 2^28 spins (seconds of guest time).
    @usableFromInline
    func wait(for ticket: UInt32) {
        var spins = 0
        while serving.load(ordering: .acquiring) != ticket {
            Processor.pause()
            spins += 1
            if spins == 1 << 28 { Panic.halt("deadlock: a spin lock stayed held for 2^28 spins (re-entered from its own holder?)") }
        }
    }

    /// Takes the lock with interrupts off if it is free right now; nil, interrupts as they
    /// were, otherwise. Returns whether interrupts were on, for ``leave(_:)``.
    @usableFromInline
    func enterIfAvailable() -> Bool? {
        let wereEnabled = Processor.interruptsEnabled
        if wereEnabled { Processor.disableInterrupts() }
        let now = serving.load(ordering: .acquiring)
        guard nextTicket.compareExchange(expected: now, desired: now &+ 1, ordering: .acquiring).exchanged else {
            if wereEnabled { Processor.enableInterrupts() }
            return nil
        }
        return wereEnabled
    }

    /// Releases the lock and turns interrupts back on if ``enter()`` found them on.
    @inlinable @inline(__always)
    func leave(_ wereEnabled: Bool) {
        serving.wrappingAdd(1, ordering: .releasing)
        if wereEnabled { Processor.enableInterrupts() }
    }
}

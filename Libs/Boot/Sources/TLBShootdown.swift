import Synchronization
import X86

/// Invalidating a page's translation on every processor (a TLB shootdown), so a frame taken
/// out of a mapping cannot still be reached through a stale entry in another processor's TLB.
///
/// Guarantees: ``invalidate(_:)`` returns only after this processor has run INVLPG for the
/// page and every other processor that reached Swift has done the same in its handler for
/// ``vector`` and acknowledged it by setting its own bit (so a processor flushing twice, or a
/// stray interrupt on the vector, cannot stand in for another). The page is published before
/// the acknowledgements are cleared, so any handler run after that flushes the right page.
/// One shootdown runs at a time; a processor waiting to start one keeps taking the flush
/// interrupts of the one in progress, so two processors cannot wait for each other.
enum TLBShootdown {
    /// The interrupt vector of the flush request (Boot's; modules cannot claim it first,
    /// because Boot registers it before any module starts).
    static let vector: UInt8 = 0xFD

    static let busy = Atomic<Bool>(false)
    static let page = Atomic<UInt64>(0)
    /// Bit i: processor i has flushed ``page`` since the shootdown began.
    static let acknowledged = Atomic<UInt64>(0)
    static let registered = Atomic<Bool>(false)

    /// Installs the flush handler (once).
    static func install() {
        guard !registered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard InterruptDispatch.register(vector: vector, { _ in
            Processor.invalidatePage(VirtAddr(truncating: page.load(ordering: .acquiring)))
            if Processor.index < 64 { _ = acknowledged.bitwiseOr(1 << UInt64(Processor.index), ordering: .releasing) }
            LocalAPIC.signalEndOfInterruptNow()
        }) else { Panic.halt("Boot: the TLB shootdown vector is taken") }
    }

    /// Invalidates `address`'s translation on every processor.
    static func invalidate(_ address: VirtAddr) {
        Processor.invalidatePage(address)
        let online = ApplicationProcessors.onlineCount
        guard online > 1 else { return }
        precondition(online <= 64, "TLB shootdowns track at most 64 processors")
        precondition(Processor.interruptsEnabled, "a TLB shootdown with interrupts off could wait for ever")
        while busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged == false { Processor.pause() }
        page.store(address.value, ordering: .releasing)
        acknowledged.store(0, ordering: .releasing)
        // Every processor that reached Swift but this one must answer.
        let expected = ApplicationProcessors.onlineMask.load(ordering: .acquiring) & ~(1 << UInt64(Processor.index))
        LocalAPIC.sendToAllOthers(vector: vector)
        while acknowledged.load(ordering: .acquiring) & expected != expected { Processor.pause() }
        busy.store(false, ordering: .releasing)
    }
}

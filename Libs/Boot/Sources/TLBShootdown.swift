import Synchronization
import X86

/// Invalidating a page's translation on every processor (a TLB shootdown), so a frame taken
/// out of a mapping cannot still be reached through a stale entry in another processor's TLB.
///
/// Guarantees: ``invalidate(_:)`` returns only after this processor has run INVLPG for the
/// page and every other processor that reached Swift has done the same in its handler for
/// ``vector`` and acknowledged it. One shootdown runs at a time; a processor waiting to start
/// one keeps taking the flush interrupts of the one in progress, so two processors cannot
/// wait for each other.
enum TLBShootdown {
    /// The interrupt vector of the flush request (Boot's; modules cannot claim it first,
    /// because Boot registers it before any module starts).
    static let vector: UInt8 = 0xFD

    static let busy = Atomic<Bool>(false)
    static let page = Atomic<UInt64>(0)
    static let acknowledged = Atomic<Int>(0)
    static let registered = Atomic<Bool>(false)

    /// Installs the flush handler (once).
    static func install() {
        guard !registered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard InterruptDispatch.register(vector: vector, { _ in
            Processor.invalidatePage(VirtAddr(truncating: page.load(ordering: .acquiring)))
            _ = acknowledged.add(1, ordering: .releasing)
            LocalAPIC.signalEndOfInterruptNow()
        }) else { Panic.halt("Boot: the TLB shootdown vector is taken") }
    }

    /// Invalidates `address`'s translation on every processor.
    static func invalidate(_ address: VirtAddr) {
        Processor.invalidatePage(address)
        let others = ApplicationProcessors.onlineCount - 1
        guard others > 0 else { return }
        precondition(Processor.interruptsEnabled, "a TLB shootdown with interrupts off could wait for ever")
        while busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged == false { Processor.pause() }
        page.store(address.value, ordering: .releasing)
        acknowledged.store(0, ordering: .releasing)
        LocalAPIC.sendToAllOthers(vector: vector)
        while acknowledged.load(ordering: .acquiring) < others { Processor.pause() }
        busy.store(false, ordering: .releasing)
    }
}

/// A TLB invalidation that a page-table change owes the processor.
///
/// Guarantees: changing or removing a mapping returns one of these; it cannot be copied, and
/// ``flush()`` or ``ignore()`` consumes it, so each invalidation owed is settled once;
/// ``flush()`` invalidates exactly the page it names (INVLPG). Invalidating a TLB entry only
/// ever makes the processor re-read the tables, so making one is safe. (A frame taken out of a
/// mapping comes back only through Boot's `PendingFrame`, after a flush on every processor.)
public struct TLBFlush: ~Copyable, Sendable {
    /// The virtual address whose translation changed.
    public let address: VirtAddr

    /// The invalidation of `address`'s page (harmless to make: it only re-reads tables).
    public init(address: VirtAddr) { self.address = address }

    /// Invalidates the processor's cached translation of ``address``.
    public consuming func flush() { Processor.invalidatePage(address) }

    /// Drops the invalidation on purpose: the address space is not active, so the TLB
    /// holds nothing for it.
    public consuming func ignore() {}
}

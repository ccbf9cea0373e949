/// A TLB invalidation that a page-table change owes the processor.
///
/// Guarantees: changing or removing a mapping returns one of these, and the compiler warns
/// when it is dropped unused; ``flush()`` invalidates exactly the page it names (INVLPG).
/// Invalidating a TLB entry only ever makes the processor re-read the tables, so it is safe.
public struct TLBFlush: Sendable {
    /// The virtual address whose translation changed.
    public let address: VirtAddr

    public init(address: VirtAddr) { self.address = address }

    /// Invalidates the processor's cached translation of ``address``.
    public func flush() { Processor.invalidatePage(address) }

    /// Drops the invalidation on purpose: the address space is not active, so the TLB
    /// holds nothing for it.
    public func ignore() {}
}

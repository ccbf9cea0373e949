import X86

/// Where a virtual address leads.
public struct Translation: Equatable, Sendable {
    /// The physical address (page frame plus offset).
    public let physical: PhysAddr
    /// The leaf entry's flags.
    public let flags: PageTableFlags
    /// The size of the page that maps it.
    public let size: PageSize
}

/// A virtual address space: a set of page mappings (the fence's own page tables; writing
/// entries is mechanism that stays in Boot).
///
/// Contract: ``map(_:to:size:flags:)`` never replaces an existing mapping; ``unmap(_:)``
/// returns the frame it unmapped, so its owner can free it; every change returns a
/// ``TLBFlush`` that the caller must perform (or explicitly ignore) before relying on it.
protocol AddressSpace {
    /// Maps the page at `page` to `frame`, both aligned to `size`.
    mutating func map(_ page: VirtAddr, to frame: PhysAddr, size: PageSize, flags: PageTableFlags) throws(MappingError) -> TLBFlush
    /// Removes the mapping of the page containing `address`.
    mutating func unmap(_ address: VirtAddr) throws(MappingError) -> Unmapping
    /// Where `address` leads, or nil when it is not mapped.
    func translate(_ address: VirtAddr) -> Translation?
}

/// What removing a mapping gave back: the frame and page size it mapped, and the flush owed.
struct Unmapping: ~Copyable {
    let frame: PhysAddr
    let size: PageSize
    let flush: TLBFlush
}

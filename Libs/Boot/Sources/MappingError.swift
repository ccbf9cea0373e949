import X86

/// Why a mapping could not be changed.
public enum MappingError: Error, Equatable, Sendable {
    /// The page (or part of it) is mapped already.
    case alreadyMapped(VirtAddr)
    /// Nothing is mapped at the address.
    case notMapped(VirtAddr)
    /// The virtual or physical address is not aligned to the page size.
    case misaligned(VirtAddr)
    /// A larger page covers the address, so no table exists at the level needed.
    case hugePageInTheWay(VirtAddr)
    /// No frame was left for a new page table.
    case outOfFrames
}

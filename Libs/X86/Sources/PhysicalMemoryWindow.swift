/// A window through which a range of physical memory is reachable: a ``MemoryRegion`` and
/// the physical address of its first byte.
///
/// Guarantees: ``region(at:size:)`` only ever returns views inside the window; a physical
/// range the window does not cover yields nil. In the kernel Boot creates the window over
/// the identity-mapped low memory; host tests create it over a buffer that plays the part
/// of physical memory.
public struct PhysicalMemoryWindow: Sendable {
    /// The memory the window shows.
    public let region: MemoryRegion
    /// The physical address of `region`'s first byte.
    public let physicalBase: PhysAddr

    /// A window showing physical memory from `physicalBase` through `region`. The caller
    /// promises that `region` really is that physical memory: DMA buffers made from the window
    /// tell devices these physical addresses.
    @unsafe public init(region: MemoryRegion, physicalBase: PhysAddr) {
        self.region = region
        self.physicalBase = physicalBase
    }

    /// Whether `size` bytes of physical memory at `address` are inside the window.
    public func covers(_ address: PhysAddr, size: Int) -> Bool {
        guard address >= physicalBase, size >= 0 else { return false }
        let offset = address.value - physicalBase.value
        return offset <= UInt64(region.size) && UInt64(size) <= UInt64(region.size) - offset
    }

    /// The region showing `size` bytes of physical memory at `address`, or nil when the
    /// window does not cover them.
    public func region(at address: PhysAddr, size: Int) -> MemoryRegion? {
        guard covers(address, size: size) else { return nil }
        return region.subregion(offset: Int(address.value - physicalBase.value), size: size)
    }
}

/// A window through which a range of physical memory is reachable: a ``MemoryRegion`` and
/// the physical address of its first byte.
///
/// Guarantees: ``region(at:size:)`` only ever returns views inside the window, and never of
/// a range that overlaps one the window withholds; anything else yields nil. In the kernel
/// the identity window over low memory stays inside the fence; modules get windows that
/// withhold all usable RAM (the firmware's tables, read by ACPI). Host tests create windows
/// over buffers that play the part of physical memory.
public struct PhysicalMemoryWindow: Sendable {
    /// The memory the window shows: never handed out whole (a window that withholds ranges
    /// would otherwise give them away).
    let region: MemoryRegion
    /// Bytes of physical memory the window spans (withheld ranges included).
    public var size: Int { region.size }
    /// The virtual address at which the window shows ``physicalBase`` (a number, not access).
    public var regionBase: UInt64 { region.base }
    /// The physical address of `region`'s first byte.
    public let physicalBase: PhysAddr
    /// Physical ranges `[start, end)` the window never shows.
    public let withheld: [(start: UInt64, end: UInt64)]

    /// A window showing physical memory from `physicalBase` through `region`. The caller
    /// promises that `region` really is that physical memory: DMA buffers made from the window
    /// tell devices these physical addresses.
    @unsafe public init(region: MemoryRegion, physicalBase: PhysAddr) {
        self.region = region
        self.physicalBase = physicalBase
        withheld = []
    }

    /// This window, also withholding `ranges` (`[start, end)` pairs): a narrower capability.
    public func withholding(_ ranges: [(start: UInt64, end: UInt64)]) -> PhysicalMemoryWindow {
        PhysicalMemoryWindow(region: region, physicalBase: physicalBase, withheld: withheld + ranges)
    }

    init(region: MemoryRegion, physicalBase: PhysAddr, withheld: [(start: UInt64, end: UInt64)]) {
        self.region = region
        self.physicalBase = physicalBase
        self.withheld = withheld
    }

    /// Whether `size` bytes of physical memory at `address` are inside the window.
    public func covers(_ address: PhysAddr, size: Int) -> Bool {
        guard address >= physicalBase, size >= 0 else { return false }
        let offset = address.value - physicalBase.value
        guard offset <= UInt64(region.size) && UInt64(size) <= UInt64(region.size) - offset else { return false }
        let end = address.value + UInt64(size)
        for range in withheld where address.value < range.end && end > range.start && size > 0 { return false }
        return true
    }

    /// The region showing `size` bytes of physical memory at `address`, or nil when the
    /// window does not cover them.
    public func region(at address: PhysAddr, size: Int) -> MemoryRegion? {
        guard covers(address, size: size) else { return nil }
        return region.subregion(offset: Int(address.value - physicalBase.value), size: size)
    }
}

#if !hasFeature(Embedded)
/// Host memory that plays the part of physical memory in unit tests.
///
/// Guarantees: the buffer is zeroed, lives as long as this object, and is only reachable
/// through the ``region`` and ``window`` it hands out. Not compiled into kernel images.
public final class SimulatedMemory: @unchecked Sendable {
    // SAFETY: the buffer is never reallocated; concurrent use is the tests' responsibility,
    // as it is for real memory.
    private let address: UInt

    /// The whole buffer as a region.
    public let region: MemoryRegion

    /// The physical address the buffer's first byte pretends to have.
    public let physicalBase: PhysAddr

    /// Allocates `size` zeroed bytes, aligned to `alignment`, standing for physical memory
    /// starting at `physicalBase`.
    public init(size: Int, alignment: Int = 4096, physicalBase: PhysAddr = PhysAddr(0)) {
        // SAFETY: a fresh allocation owned by this object until deinit.
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: alignment)
        // SAFETY: the allocation is `size` bytes long.
        unsafe buffer.initializeMemory(as: UInt8.self, repeating: 0, count: max(size, 1))
        address = UInt(bitPattern: buffer)
        // SAFETY: the region covers exactly the allocation, which outlives it in tests that
        // keep this object alive.
        region = unsafe MemoryRegion(unsafeBase: UInt64(address), size: size)
        self.physicalBase = physicalBase
    }

    /// The buffer seen as physical memory.
    public var window: PhysicalMemoryWindow {
        // SAFETY: the buffer plays the physical memory at `physicalBase` in host tests, where no
        // device exists to be told its addresses.
        unsafe PhysicalMemoryWindow(region: region, physicalBase: physicalBase)
    }

    deinit {
        // SAFETY: allocated in init, freed exactly once.
        unsafe UnsafeMutableRawPointer(bitPattern: address)?.deallocate()
    }
}
#endif

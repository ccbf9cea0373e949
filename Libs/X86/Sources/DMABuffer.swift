import X86Shim

/// Memory shared with a device by DMA: a view of RAM that also knows its physical address
/// (what the device is told).
///
/// Guarantees: every access stays inside the buffer (a precondition otherwise); word
/// accesses are single volatile loads and stores, so the compiler neither drops nor merges
/// nor reorders them against one another, and `publish()` orders every earlier access
/// (bulk copies included) before later ones, as a device reading the memory needs. The
/// buffer is made only with `unsafe` (Boot turns an owned frame into one, for good: see
/// `Frame.intoDMABuffer()`), so its memory is RAM nothing else uses and its physical address
/// is the truth. On the host it is backed by simulated memory and accesses are plain.
public struct DMABuffer: Sendable {
    /// The memory, as the CPU sees it.
    public let region: MemoryRegion
    /// The physical address of the first byte, as the device sees it.
    public let physicalAddress: PhysAddr

    /// A buffer over `region`, which devices reach at `physicalAddress`. The caller promises
    /// the region is that physical memory: a device told a wrong address writes elsewhere.
    @unsafe public init(region: MemoryRegion, physicalAddress: PhysAddr) {
        self.region = region
        self.physicalAddress = physicalAddress
    }

    /// Bytes in the buffer.
    public var size: Int { region.size }

    /// The physical address of byte `offset`.
    public func physicalAddress(at offset: Int) -> PhysAddr {
        precondition(offset >= 0 && offset <= region.size, "DMA offset outside its buffer")
        return PhysAddr(physicalAddress.value + UInt64(offset))
    }

    /// A volatile read of the `T` at `offset` (naturally aligned).
    @inlinable public func read<T: MMIOValue>(_ type: T.Type = T.self, at offset: Int) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= region.size && offset % MemoryLayout<T>.size == 0,
                     "DMA read outside its buffer")
        #if hasFeature(Embedded)
        // SAFETY: bounds and alignment checked against the buffer, which is RAM its owner
        // allocated; a volatile load of a bitwise-copyable integer is valid for any bits.
        return unsafe T.volatileLoad(region.base + UInt64(offset))
        #else
        return region.load(as: T.self, at: offset)
        #endif
    }

    /// A volatile write of `value` at `offset` (naturally aligned).
    @inlinable public func write<T: MMIOValue>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= region.size && offset % MemoryLayout<T>.size == 0,
                     "DMA write outside its buffer")
        #if hasFeature(Embedded)
        // SAFETY: as for `read`; the buffer's owner shares it with the device only.
        unsafe T.volatileStore(region.base + UInt64(offset), value)
        #else
        region.store(value, at: offset)
        #endif
    }

    /// Copies `bytes` in at `offset`.
    public func copy(_ bytes: [UInt8], to offset: Int) { region.copy(bytes: bytes, to: offset) }

    /// `count` bytes from `offset`.
    public func bytes(at offset: Int, count: Int) -> [UInt8] { region.bytes(at: offset, count: count) }

    /// Orders earlier stores before later loads, for the processor as well as the compiler
    /// (MFENCE): needed between publishing buffers and reading whether the device wants a
    /// notification, or both sides could miss each other.
    @inlinable public static func fence() {
        #if hasFeature(Embedded)
        x86_mfence()
        #endif
    }

    /// Orders all earlier memory accesses before all later ones as far as the compiler is
    /// concerned (x86 itself keeps stores in order); call between filling a buffer and
    /// handing it to the device, and between seeing the device's index and reading data.
    @inlinable public static func publish() {
        #if hasFeature(Embedded)
        x86_compiler_barrier()
        #endif
    }
}

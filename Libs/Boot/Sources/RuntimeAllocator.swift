import X86

/// Heap figures every image can report, whichever heap serves the runtime.
public struct MemoryStatistics: Sendable, Equatable {
    /// Bytes of heap blocks currently handed out.
    public var heapBytesInUse: UInt64
    /// The most bytes ever handed out at once.
    public var heapPeakBytes: UInt64
    /// Physical frames still free (0 when no frame allocator is linked).
    public var framesFree: Int
    /// Physical frames managed (0 when no frame allocator is linked).
    public var framesTotal: Int

    public init(heapBytesInUse: UInt64, heapPeakBytes: UInt64, framesFree: Int, framesTotal: Int) {
        self.heapBytesInUse = heapBytesInUse
        self.heapPeakBytes = heapPeakBytes
        self.framesFree = framesFree
        self.framesTotal = framesTotal
    }
}

/// Which heap serves the Swift runtime's `posix_memalign` and `free`.
///
/// Until a heap module (Alloc) installs its functions, the ``EarlyHeap`` does. The hooks are
/// plain functions without captures, so calling them involves no allocation.
/// Guarantees: ``install(allocate:free:statistics:)`` happens once, before any thread but the
/// boot thread runs; afterwards every allocation and free goes to the installed heap.
public enum RuntimeAllocator {
    /// Allocates `size` bytes aligned to `alignment`, or returns 0 when the heap is exhausted.
    public typealias Allocate = (Int, Int) -> UInt64
    /// Frees the block at an address.
    public typealias Free = (UInt64) -> Void
    /// Reports the installed heap's statistics.
    public typealias Statistics = () -> MemoryStatistics

    struct Hooks {
        var allocate: Allocate?
        var free: Free?
        var statistics: Statistics?
    }

    // SAFETY: written once by `install` on the boot processor before other processors or
    // threads run (the composition root's module start-up); read-only afterwards.
    nonisolated(unsafe) static var hooks = Hooks()

    /// Routes the runtime's allocations to another heap from now on.
    public static func install(allocate: @escaping Allocate, free: @escaping Free, statistics: @escaping Statistics) {
        unsafe hooks = Hooks(allocate: allocate, free: free, statistics: statistics)
    }

    /// The current heap's figures.
    public static var statistics: MemoryStatistics {
        if let report = unsafe hooks.statistics { return report() }
        let used = EarlyHeap.bytesAllocated
        return MemoryStatistics(heapBytesInUse: used, heapPeakBytes: used, framesFree: 0, framesTotal: 0)
    }

    /// A block for the runtime: from the installed heap or the early heap; a panic naming the
    /// request when memory is exhausted.
    static func allocate(size: Int, alignment: Int) -> UInt64 {
        if let allocate = unsafe hooks.allocate {
            let block = allocate(size, alignment)
            if block == 0 { Panic.halt("out of memory: the kernel heap cannot satisfy a request of ", decimal: UInt64(size)) }
            return block
        }
        return EarlyHeap.allocate(size: size, alignment: alignment)
    }

    static func free(_ address: UInt64) {
        guard address != 0 else { return }
        if let free = unsafe hooks.free { free(address) } else { EarlyHeap.free() }
    }
}

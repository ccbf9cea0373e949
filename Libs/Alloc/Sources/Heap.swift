import Boot
import X86

/// The kernel heap that serves the Swift runtime once ``AllocModule`` has started, and the
/// Swift-facing API to it.
public enum Heap {
    /// The heap; empty (every allocation fails) until ``AllocModule`` starts it. Kept as a
    /// plain value, not an optional, so every operation mutates it in place.
    static let heap = InterruptSafeLock(KernelHeap.empty)

    /// A block of `size` bytes aligned to `alignment`, as a region, or nil when memory is
    /// exhausted.
    public static func allocate(size: Int, alignment: Int = 16) -> MemoryRegion? {
        heap.withLock { $0.allocateRegion(size: size, alignment: alignment) }
    }

    /// Gives back a block that ``allocate(size:alignment:)`` returned.
    public static func free(_ block: MemoryRegion) throws(HeapError) {
        try free(address: block.base)
    }

    static func free(address: UInt64) throws(HeapError) {
        try heap.withLock { (heap: inout KernelHeap) throws(HeapError) in try heap.free(address) }
    }

    /// Takes the heap's further growth from `memory` (Paging supplies mapped virtual memory).
    public static func useMemory(_ memory: any HeapMemory) {
        // The previous source is released here, after the lock: releasing an object frees
        // heap memory, which needs the lock.
        let previous = heap.withLock { $0.growFrom(memory) }
        _ = previous
    }

    /// The heap's figures.
    public static var statistics: HeapStatistics { heap.withLock { $0.statistics } }

    /// The runtime's allocation hook: an address, or 0 when memory is exhausted.
    static func runtimeAllocate(size: Int, alignment: Int) -> UInt64 {
        heap.withLock { $0.allocate(size: size, alignment: alignment) } ?? 0
    }

    /// The runtime's free hook. Blocks from the early heap are ignored; anything else the heap
    /// did not hand out is a panic, because the runtime never frees such memory unless the
    /// heap has been corrupted.
    static func runtimeFree(_ address: UInt64) {
        do {
            try free(address: address)
        } catch {
            switch error {
            case .notInHeap where EarlyHeap.handedOut(address): return
            case .doubleFree: Panic.halt("heap: double free of block at ", decimal: address)
            case .invalidFree: Panic.halt("heap: free of an address inside a block, not its start: ", decimal: address)
            case .notInHeap: Panic.halt("heap: free of an address the heap never handed out: ", decimal: address)
            }
        }
    }
}

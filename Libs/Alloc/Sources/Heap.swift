import Boot
import X86

/// The kernel heap that serves the Swift runtime once ``AllocModule`` has started, and the
/// Swift-facing API to it.
///
/// The heap is policy: Boot's ``RuntimeAllocator`` runs it under the fence's lock and checks
/// every block it hands out and every free, so a bug here ends in a panic, never in two
/// owners of one byte.
public enum Heap {
    /// A block of `size` bytes aligned to `alignment`, owned (Boot checked it against every
    /// live block), or nil when memory is exhausted.
    public static func allocate(size: Int, alignment: Int = 16) -> HeapBlock? {
        RuntimeAllocator.allocate(bytes: size, alignment: alignment)
    }

    /// Gives back a block that ``allocate(size:alignment:)`` returned.
    public static func free(_ block: consuming HeapBlock) {
        RuntimeAllocator.free(block)
    }
}

/// ``KernelHeap`` as the runtime's ``HeapPolicy``: Boot calls it under its own lock.
final class KernelHeapPolicy: HeapPolicy {
    var heap: KernelHeap

    init(_ heap: consuming KernelHeap) { self.heap = heap }

    func allocate(size: Int, alignment: Int) -> UInt64? { heap.allocate(size: size, alignment: alignment) }

    func free(_ address: UInt64) {
        do {
            try heap.free(address)
        } catch {
            // The fence verified the block was handed out, so a refusal here means the heap's
            // own bookkeeping is corrupt.
            switch error {
            case .doubleFree: Panic.halt("heap: double free of block at ", decimal: address)
            case .invalidFree: Panic.halt("heap: free of an address inside a block, not its start: ", decimal: address)
            case .notInHeap: Panic.halt("heap: free of an address the heap never handed out: ", decimal: address)
            }
        }
    }

    var statistics: MemoryStatistics {
        let figures = heap.statistics
        let frames = Frames.counts
        return MemoryStatistics(heapBytesInUse: figures.bytesInUse, heapPeakBytes: figures.peakBytes,
                                framesFree: frames.free, framesTotal: frames.total)
    }
}

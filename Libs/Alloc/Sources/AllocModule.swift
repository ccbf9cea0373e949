import Boot
import X86

/// Starts Alloc: builds the frame allocator from the memory map, seals Boot's early heap,
/// and makes the kernel heap serve the Swift runtime.
public enum AllocModule: KernelModule {
    /// The kernel heap's first chunk.
    static let initialHeapBytes = 64 * 1024

    public static func start(_ kernel: inout KernelResources) {
        // Everything the early heap handed out so far stays where it is, for good.
        let early = EarlyHeap.seal()
        kernel.reserved.append(early)
        guard let allocator = BitmapFrameAllocator.make(memoryMap: kernel.boot.memoryMap, excluding: kernel.reserved,
                                                        window: kernel.physicalMemory) else {
            Panic.halt("Alloc: no usable RAM for the frame allocator's bitmaps")
        }
        Frames.allocator.withLock { $0 = allocator }
        guard let heap = KernelHeap(memory: FrameHeapMemory(window: kernel.physicalMemory), initialBytes: initialHeapBytes) else {
            Panic.halt("Alloc: no frames for the kernel heap's first chunk")
        }
        Heap.heap.withLock { $0 = heap }
        RuntimeAllocator.install(
            allocate: { size, alignment in Heap.runtimeAllocate(size: size, alignment: alignment) },
            free: { address in Heap.runtimeFree(address) },
            statistics: {
                let heap = Heap.statistics
                let frames = Frames.counts
                return MemoryStatistics(heapBytesInUse: heap.bytesInUse, heapPeakBytes: heap.peakBytes,
                                        framesFree: frames.free, framesTotal: frames.total)
            })
    }
}

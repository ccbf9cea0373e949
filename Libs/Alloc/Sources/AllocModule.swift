import Boot
import X86

/// Starts Alloc: builds the frame allocator from the memory map, seals Boot's early heap,
/// and makes the kernel heap serve the Swift runtime.
public enum AllocModule: KernelModule {
    /// The kernel heap's first chunk.
    static let initialHeapBytes = 64 * 1024

    public static func start(_ kernel: inout KernelResources) {
        // Boot's frame table starts; everything the early heap handed out stays where it is.
        guard kernel.startFrameTable() else { Panic.halt("Alloc: the frame table was started already") }
        guard let allocator = BitmapFrameAllocator.make(memoryMap: kernel.boot.memoryMap, excluding: kernel.reserved,
                                                        limit: FrameTable.limit, claim: FrameTable.claimPermanent) else {
            Panic.halt("Alloc: no usable RAM for the frame allocator's bitmaps")
        }
        Frames.allocator.withLock(moving: allocator) { slot, allocator in slot = allocator }
        guard let heap = KernelHeap(memory: FrameHeapMemory(), initialBytes: initialHeapBytes) else {
            Panic.halt("Alloc: no frames for the kernel heap's first chunk")
        }
        RuntimeAllocator.install(KernelHeapPolicy(heap))
    }
}

/// # Alloc: physical frames and the kernel heap
///
/// What is in here: the ``FrameAllocator`` protocol and its default, ``BitmapFrameAllocator``,
/// built from Boot's memory map; ``KernelHeap``, a slab allocator with power-of-two size classes
/// for small blocks and page runs for large ones, which serves the Swift runtime once
/// ``AllocModule`` has started; heap and frame statistics.
///
/// What is not in here: page tables (Paging), and any `unsafe`. The module reaches memory only
/// through the ``MemoryRegion``s and the ``PhysicalMemoryWindow`` Boot hands it.
public enum Alloc {
    /// The size of a frame and of a heap page.
    public static let pageSize = 4096
}

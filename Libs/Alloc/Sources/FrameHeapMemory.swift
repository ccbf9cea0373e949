import X86

/// Heap memory taken as runs of physically contiguous frames from ``Frames`` and reached
/// through Boot's identity-mapped physical window. Used until Paging supplies virtual memory.
final class FrameHeapMemory: HeapMemory {
    let window: PhysicalMemoryWindow

    init(window: PhysicalMemoryWindow) { self.window = window }

    func grow(minimumBytes: Int) -> MemoryRegion? {
        let pages = (minimumBytes + Alloc.pageSize - 1) / Alloc.pageSize
        guard let start = Frames.allocateContiguous(count: pages) else { return nil }
        return window.region(at: start, size: pages * Alloc.pageSize)
    }
}

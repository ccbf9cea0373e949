import Boot
import X86

/// Heap memory taken as runs of physically contiguous frames from ``Frames``, which Boot turns
/// into heap grants (reached through its identity map).
final class FrameHeapMemory: HeapMemory {
    func grow(minimumPages: Int) -> HeapGrant? {
        // Room for the fence's bitmaps and the page records: about 1/32 more, plus two pages.
        let pages = minimumPages + minimumPages / 32 + 2
        guard let run = Frames.allocateContiguous(count: pages) else { return nil }
        return HeapGrant.make(from: run, metadataBytesPerPage: HeapChunk.recordSize)
    }
}

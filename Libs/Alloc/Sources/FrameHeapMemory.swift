import Boot
import X86

/// Heap memory taken as runs of physically contiguous frames from ``Frames``, which Boot turns
/// into heap grants (reached through its identity map).
final class FrameHeapMemory: HeapMemory {
    func grow(minimumPages: Int) -> HeapGrant? {
        let pages = HeapGrant.framesNeeded(dataPages: minimumPages, metadataBytesPerPage: HeapChunk.recordSize)
        guard let run = Frames.allocateContiguous(count: pages) else { return nil }
        return HeapGrant.make(from: run, metadataBytesPerPage: HeapChunk.recordSize)
    }
}

// The sound memory API: owned frames in and out of the allocator, mapped into the lazy area
// (the refusal hands the frame back), a heap block used and freed, DMA memory from a frame.
import Alloc
import Boot
import X86

func frames() {
    guard let frame = Frames.allocate() else { return }
    frame.fill(0)
    frame.store(UInt64(42), at: 8)
    _ = frame.load(as: UInt64.self, at: 8)
    switch KernelPages.map(VirtAddr(0x1000_0000_0000), frame: frame, writable: true) {
    case .mapped(let flush): flush.flush()
    case .refused(_, let back): Frames.free(back)
    }
    if let pending = KernelPages.unmap(VirtAddr(0x1000_0000_0000)) { Frames.free(pending.flush()) }
}

func heap() {
    guard let block = Heap.allocate(size: 64) else { return }
    block.fill(0xAB, count: 64)
    Heap.free(block)
}

func dma() -> DMABuffer? {
    guard let frame = Frames.allocate() else { return nil }
    return frame.intoDMABuffer()
}

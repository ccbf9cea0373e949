import Alloc
import X86

/// Heap memory in a reserved virtual range, grown by mapping fresh frames (they need not be
/// contiguous) at its end.
final class PagedHeapMemory: HeapMemory {
    let area: MemoryRegion
    let mapped = InterruptSafeLock(0)

    init(area: MemoryRegion) { self.area = area }

    func grow(minimumBytes: Int) -> MemoryRegion? {
        let bytes = (minimumBytes + 4095) / 4096 * 4096
        return mapped.withLock { mapped -> MemoryRegion? in
            guard mapped + bytes <= area.size else { return nil }
            for offset in stride(from: 0, to: bytes, by: 4096) {
                guard let frame = Frames.allocate() else { return nil }
                let page = VirtAddr(area.base + UInt64(mapped + offset))
                guard case .success(let flush) = KernelMemory.map(page, to: frame, flags: [.writable, .noExecute]) else { return nil }
                flush.flush()
            }
            let region = area.subregion(offset: mapped, size: bytes)
            mapped += bytes
            return region
        }
    }
}

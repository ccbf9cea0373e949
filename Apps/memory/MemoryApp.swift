/// The memory application: exercises the frame allocator and the kernel heap inside a real
/// image and reports what it measured. Exits 0 when every check held, 1 otherwise.
import Alloc
import Boot
import Paging
import X86

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        var failures = 0
        func check(_ condition: Bool, _ what: String) {
            if !condition { print("memory: FAILED: \(what)"); failures += 1 }
        }

        let start = RuntimeAllocator.statistics
        print("memory: heap \(start.heapBytesInUse) bytes in use, frames \(start.framesFree) free of \(start.framesTotal)")

        // Swift objects come from the kernel heap and go back to it.
        var arrays: [[UInt64]] = []
        for round in 0..<200 { arrays.append([UInt64](repeating: UInt64(round), count: 1 + round % 700)) }
        var sum: UInt64 = 0
        for array in arrays { sum &+= array.reduce(0, &+) }
        let busy = RuntimeAllocator.statistics
        arrays = []
        let after = RuntimeAllocator.statistics
        check(busy.heapBytesInUse > start.heapBytesInUse + 100_000, "arrays use heap memory")
        check(after.heapBytesInUse == start.heapBytesInUse, "freeing every array returns the heap to where it was (\(after.heapBytesInUse) vs \(start.heapBytesInUse))")
        print("memory: 200 arrays, checksum \(sum), peak \(busy.heapPeakBytes) bytes")

        // The Swift-facing heap API hands out owned blocks (a double free cannot be written).
        if let block = Heap.allocate(size: 100, alignment: 64) {
            check(block.address % 64 == 0, "alignment honoured")
            block.fill(0xAB, count: 100)
            check(block.load(as: UInt8.self, at: 99) == 0xAB, "block is writable")
            let inUse = RuntimeAllocator.statistics.heapBytesInUse
            Heap.free(block)
            check(RuntimeAllocator.statistics.heapBytesInUse < inUse, "a freed block is given back")
        } else {
            check(false, "Heap.allocate returns a block")
        }
        let impossible = Heap.allocate(size: 1 << 40)
        check(impossible == nil, "an impossible request returns nil")

        // Frames: owned tokens; Boot's frame table refuses a second owner and unmanaged frames.
        if let frame = Frames.allocate() {
            let address = frame.address
            check(FrameTable.claim(address) == nil, "an allocated frame cannot be claimed again")
            let before = Frames.counts.free
            Frames.free(frame)
            check(Frames.counts.free == before + 1, "a freed frame is free again")
            check(FrameTable.isFree(address), "the frame table agrees it is free")
            check(FrameTable.claim(boot.kernelImage.start) == nil, "the kernel image's frames are never free")
        } else {
            check(false, "Frames.allocate returns a frame")
        }

        // Demand paging: a lazily reserved region is backed page by page on first touch.
        let pages = 256
        if let lazy = DemandPager.reserve(bytes: pages * 4096) {
            let faultsBefore = DemandPager.faultsServed
            let framesBefore = Frames.counts.free
            check(KernelMemory.translate(VirtAddr(lazy.base)) == nil, "a reserved page is not mapped before it is touched")
            let t0 = TimeStampCounter.read()
            for page in 0..<pages { lazy.store(UInt8(truncatingIfNeeded: page), at: page * 4096) }
            let t1 = TimeStampCounter.read()
            for page in 0..<pages { lazy.store(UInt8(truncatingIfNeeded: page), at: page * 4096) }
            let t2 = TimeStampCounter.read()
            var intact = true
            for page in 0..<pages {
                intact = intact && lazy.load(as: UInt8.self, at: page * 4096) == UInt8(truncatingIfNeeded: page)
                intact = intact && lazy.load(as: UInt8.self, at: page * 4096 + 4095) == 0
            }
            check(intact, "demand-paged memory holds what was written and is zeroed elsewhere")
            check(DemandPager.faultsServed - faultsBefore == pages, "one fault per page (\(DemandPager.faultsServed - faultsBefore))")
            check(framesBefore - Frames.counts.free >= pages, "each page got its own frame")
            let perFault = ((t1 &- t0) &- (t2 &- t1)) / UInt64(pages)
            print("bench: page_fault_instructions=\(perFault)")

            // Unmapping: the frame stays out of reach until the TLB flush, then comes back; the
            // page is backed anew (zeroed) on the next touch.
            let page = VirtAddr(lazy.base)
            if let mapped = KernelMemory.translate(page), let pending = KernelMemory.unmap(page) {
                let address = mapped.physical
                check(!FrameTable.isFree(address), "an unmapped frame is not free before its flush")
                check(KernelMemory.translate(page) == nil, "the page is unmapped")
                let frame = pending.flush()
                check(frame.address == address, "the flush hands back the frame that was mapped")
                Frames.free(frame)
                check(FrameTable.isFree(address), "and it can be freed after it")
                check(lazy.load(as: UInt8.self, at: 0) == 0, "the page is backed anew, zeroed, on the next touch")
            } else {
                check(false, "a backed page can be unmapped")
            }
        } else {
            check(false, "DemandPager.reserve returns a region")
        }

        // Heap allocate + free of a 64-byte block, averaged.
        let rounds = 10_000
        let h0 = TimeStampCounter.read()
        for _ in 0..<rounds {
            if let block = Heap.allocate(size: 64) { Heap.free(block) }
        }
        let h1 = TimeStampCounter.read()
        print("bench: heap_alloc_free_64_instructions=\((h1 &- h0) / UInt64(rounds))")

        // The same through the Swift runtime: a 64-byte object (16-byte header, 48 bytes of
        // fields) created and released each round.
        var slot = [Box(1)]
        let o0 = TimeStampCounter.read()
        for round in 0..<rounds { slot[0] = Box(UInt64(round)) }
        let o1 = TimeStampCounter.read()
        check(slot[0].a == UInt64(rounds - 1), "the last object survives")
        print("bench: object_alloc_free_64_instructions=\((o1 &- o0) / UInt64(rounds))")

        let end = RuntimeAllocator.statistics
        print("memory: heap \(end.heapBytesInUse) bytes in use, peak \(end.heapPeakBytes), frames \(end.framesFree) free of \(end.framesTotal)")
        print(failures == 0 ? "memory: all checks passed" : "memory: \(failures) checks failed")
        return failures == 0 ? 0 : 1
    }
}

/// A heap object of exactly 64 bytes.
final class Box {
    let a: UInt64, b: UInt64, c: UInt64, d: UInt64, e: UInt64, f: UInt64
    init(_ value: UInt64) { a = value; b = value; c = value; d = value; e = value; f = value }
}

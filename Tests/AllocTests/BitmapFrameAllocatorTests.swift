import Testing
import Alloc
import Boot
import X86

@Suite("The bitmap frame allocator")
struct BitmapFrameAllocatorTests {
    /// 1 MiB of "RAM" at 0..640 KiB and 1 MiB..2 MiB, like a small PC.
    let map = MemoryMap(entries: [
        MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0), size: 0xA_0000), kind: .usable),
        MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0xF_0000), size: 0x1_0000), kind: .reserved),
        MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0x10_0000), size: 0x10_0000), kind: .usable),
    ])
    let kernel = PhysicalRange(start: PhysAddr(0x10_0000), size: 0x4_0000)
    let storage = SimulatedMemory(size: 4096)

    func makeAllocator() -> BitmapFrameAllocator {
        BitmapFrameAllocator(memoryMap: map, excluding: [PhysicalRange(start: PhysAddr(0), size: 0x1000), kernel],
                             limit: PhysAddr(0x20_0000), storage: storage.region)
    }

    @Test func managesExactlyTheUsableFramesOutsideExclusions() {
        let allocator = makeAllocator()
        #expect(allocator.totalFrames == (0xA_0000 / 4096 - 1) + (0x10_0000 - 0x4_0000) / 4096)
        #expect(allocator.freeFrames == allocator.totalFrames)
    }

    @Test func handsOutEveryFrameOnceAndNeverAReservedOne() {
        var allocator = makeAllocator()
        var seen = Set<UInt64>()
        while let frame = allocator.allocate() {
            #expect(frame.isAligned(to: 4096))
            #expect(seen.insert(frame.value).inserted, "frame \(frame) handed out twice")
            #expect(frame.value != 0 && !(frame >= kernel.start && frame < kernel.end))
            #expect(!(frame.value >= 0xA_0000 && frame.value < 0x10_0000))
        }
        #expect(seen.count == makeAllocator().totalFrames)
        #expect(allocator.freeFrames == 0)
        #expect(allocator.allocate() == nil)
    }

    @Test func detectsDoubleFreesAndForeignFrames() throws {
        var allocator = makeAllocator()
        let frameResult = allocator.allocate()
        let frame = try #require(frameResult)
        try allocator.free(frame)
        #expect(throws: FrameError.doubleFree(frame)) { try allocator.free(frame) }
        #expect(throws: FrameError.notManaged(kernel.start)) { try allocator.free(kernel.start) }
        #expect(throws: FrameError.notManaged(PhysAddr(0xF_0000))) { try allocator.free(PhysAddr(0xF_0000)) }
        #expect(throws: FrameError.notManaged(PhysAddr(0x4000_0000))) { try allocator.free(PhysAddr(0x4000_0000)) }
        #expect(throws: FrameError.misaligned(PhysAddr(0x5001))) { try allocator.free(PhysAddr(0x5001)) }
    }

    @Test func adoptedFramesBecomeFreeOnceAndAllOrNone() throws {
        var allocator = makeAllocator()
        let total = allocator.totalFrames, free = allocator.freeFrames
        // The hole between 640 KiB and 1 MiB holds no managed frame: a boot module, say.
        try allocator.adopt(PhysAddr(0xB_0000), count: 4)
        #expect(allocator.totalFrames == total + 4 && allocator.freeFrames == free + 4)
        #expect(allocator.isFree(PhysAddr(0xB_3000)) && !allocator.isFree(PhysAddr(0xB_4000)))
        #expect(throws: FrameError.cannotAdopt(PhysAddr(0xB_3000))) { try allocator.adopt(PhysAddr(0xB_3000), count: 2) }
        #expect(!allocator.isFree(PhysAddr(0xB_4000)), "a refused adoption takes nothing")
        #expect(throws: FrameError.cannotAdopt(PhysAddr(0x1F_F000))) { try allocator.adopt(PhysAddr(0x1F_F000), count: 2) }
        #expect(throws: FrameError.misaligned(PhysAddr(0xC_0010))) { try allocator.adopt(PhysAddr(0xC_0010), count: 1) }
        var taken = Set<UInt64>()
        while let frame = allocator.allocate() { taken.insert(frame.value) }
        #expect((0..<4).allSatisfy { taken.contains(0xB_0000 + UInt64($0) * 4096) }, "adopted frames are handed out")
    }

    @Test func contiguousRunsAreAlignedAndSkipHoles() throws {
        var allocator = makeAllocator()
        let runResult = allocator.allocateContiguous(count: 16, alignment: 0x1_0000)
        let run = try #require(runResult)
        #expect(run.isAligned(to: 0x1_0000))
        for index in 0..<16 { #expect(!allocator.isFree(run + UInt64(index * 4096))) }
        // No run may straddle the hole between 640 KiB and the kernel's end.
        let bigResult = allocator.allocateContiguous(count: 128, alignment: 4096)
        let big = try #require(bigResult)
        #expect(big.value >= kernel.end.value || big.value + 128 * 4096 <= 0xA_0000)
        #expect(allocator.allocateContiguous(count: 10_000, alignment: 4096) == nil)
        #expect(allocator.freeFrames == makeAllocator().totalFrames - 144)
    }

    @Test func placesItsOwnBitmapsInFreeRAMAndExcludesThem() throws {
        let ram = SimulatedMemory(size: 0x20_0000, physicalBase: PhysAddr(0))
        var allocator = try #require(BitmapFrameAllocator.make(memoryMap: map, excluding: [kernel], limit: PhysAddr(0x20_0000), claim: { start, frames in ram.window.region(at: start, size: frames * 4096) }))
        // The bitmaps take the first frame of RAM: it is never handed out.
        var frames: [PhysAddr] = []
        while let frame = allocator.allocate() { frames.append(frame) }
        #expect(!frames.contains(PhysAddr(0)))
        #expect(frames.count == allocator.totalFrames)
    }
}

import Testing
import Boot
import X86

@Suite("Memory map arithmetic")
struct MemoryMapTests {
    let map = MemoryMap(entries: [
        MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0), size: 0x9_F000), kind: .usable),
        MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0xF_0000), size: 0x1_0000), kind: .reserved),
        MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0x10_0000), size: 0x70_0000), kind: .usable),
    ])

    @Test func subtractingCutsHolesOfEveryShape() {
        let range = PhysicalRange(start: PhysAddr(100), size: 100)
        #expect(range.subtracting(PhysicalRange(start: PhysAddr(0), size: 50)) == [range])
        #expect(range.subtracting(PhysicalRange(start: PhysAddr(0), size: 300)) == [])
        #expect(range.subtracting(PhysicalRange(start: PhysAddr(150), size: 10)) ==
                [PhysicalRange(start: PhysAddr(100), size: 50), PhysicalRange(start: PhysAddr(160), size: 40)])
        #expect(range.subtracting(PhysicalRange(start: PhysAddr(50), size: 100)) == [PhysicalRange(start: PhysAddr(150), size: 50)])
    }

    @Test func usableRangesLeaveOutTheKernelAndBootStructures() {
        let kernel = PhysicalRange(start: PhysAddr(0x10_0000), size: 0x3_0000)
        let startInfo = PhysicalRange(start: PhysAddr(0x1000), size: 56)
        let ranges = map.usableRanges(excluding: [kernel, startInfo])
        #expect(ranges == [
            PhysicalRange(start: PhysAddr(0), size: 0x1000),
            PhysicalRange(start: PhysAddr(0x1038), size: 0x9_F000 - 0x1038),
            PhysicalRange(start: PhysAddr(0x13_0000), size: 0x6D_0000),
        ])
        for range in ranges {
            #expect(!range.overlaps(kernel) && !range.overlaps(startInfo))
        }
    }

    @Test func theHeapGoesToTheLargestRangeBelowTheLimit() {
        let kernel = PhysicalRange(start: PhysAddr(0x10_0000), size: 0x3_0000)
        #expect(map.largestUsableRange(excluding: [kernel], below: PhysAddr(0x1_0000_0000)) ==
                PhysicalRange(start: PhysAddr(0x13_0000), size: 0x6D_0000))
        #expect(map.largestUsableRange(excluding: [kernel], below: PhysAddr(0x14_0000)) ==
                PhysicalRange(start: PhysAddr(0), size: 0x9_F000), "clipped ranges compete by their clipped size")
        #expect(map.largestUsableRange(excluding: map.entries.map { $0.range }, below: PhysAddr(0x1_0000_0000)) == nil)
    }
}

@Suite("The early bump heap")
struct BumpHeapTests {
    @Test func honoursAlignmentAndNeverOverlaps() {
        var heap = BumpHeap(start: 0x1001, size: 0x3000)
        var blocks: [(UInt64, Int)] = []
        for (size, alignment) in [(1, 1), (24, 8), (64, 64), (3, 16), (100, 4096)] {
            guard let block = heap.allocate(size: size, alignment: alignment) else { Issue.record("no block"); return }
            #expect(block % UInt64(alignment) == 0)
            #expect(block >= 0x1001 && block + UInt64(size) <= 0x4001)
            for (other, otherSize) in blocks {
                #expect(block >= other + UInt64(otherSize) || block + UInt64(size) <= other)
            }
            blocks.append((block, size))
        }
        #expect(heap.allocations == 5)
    }

    @Test func returnsNilWhenExhaustedOrAskedNonsense() {
        var heap = BumpHeap(start: 0x1000, size: 0x100)
        #expect(heap.allocate(size: 0x100, alignment: 16) == 0x1000)
        #expect(heap.allocate(size: 1, alignment: 1) == nil)
        #expect(heap.bytesRemaining == 0)
        var other = BumpHeap(start: 0x1000, size: 0x100)
        #expect(other.allocate(size: 8, alignment: 3) == nil, "alignment must be a power of two")
        #expect(other.allocate(size: -1, alignment: 8) == nil)
        #expect(other.allocate(size: Int.max, alignment: 8) == nil, "no overflow")
    }

    @Test func movesToALargerArena() {
        var heap = BumpHeap(start: 0x1000, size: 0x10)
        _ = heap.allocate(size: 0x10, alignment: 1)
        heap.moveArena(start: 0x10_0000, size: 0x1000)
        #expect(heap.allocate(size: 0x800, alignment: 8) == 0x10_0000)
        #expect(heap.bytesAllocated == 0x810)
    }
}

import Testing
import Alloc
@testable import Boot
import X86

/// Heap memory carved from one simulated buffer, with a budget: each grant is its page
/// records' metadata followed by the data pages, as Boot lays one out.
final class TestHeapMemory: HeapMemory, @unchecked Sendable {
    let memory: SimulatedMemory
    var used = 0
    var grants = 0

    init(bytes: Int) { memory = SimulatedMemory(size: bytes) }

    func grow(minimumPages: Int) -> HeapGrant? {
        let metadataBytes = (minimumPages * 64 + 4095) / 4096 * 4096
        let bytes = metadataBytes + minimumPages * 4096
        guard used + bytes <= memory.region.size else { return nil }
        defer { used += bytes; grants += 1 }
        return HeapGrant(metadata: memory.region.subregion(offset: used, size: metadataBytes),
                         dataBase: memory.region.base + UInt64(used + metadataBytes), dataPages: minimumPages)
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

@Suite("The kernel heap")
struct KernelHeapTests {
    @Test(arguments: [1, 2, 3])
    func randomAllocateAndFreeMatchesAModel(seed: UInt64) throws {
        let memory = TestHeapMemory(bytes: 8 << 20)
        var heap = try #require(KernelHeap(memory: memory))
        var random = SplitMix64(state: seed)
        var live: [(address: UInt64, size: Int, fill: UInt8)] = []
        let sizes = [1, 8, 16, 17, 24, 64, 100, 255, 512, 1000, 2048, 2049, 4096, 5000, 20_000]
        let alignments = [1, 8, 16, 64, 256, 4096, 8192]

        for step in 0..<4000 {
            if live.isEmpty || random.next(below: 3) != 0 {
                let size = sizes[random.next(below: sizes.count)]
                let alignment = alignments[random.next(below: alignments.count)]
                let addressResult = heap.allocate(size: size, alignment: alignment)
        let address = try #require(addressResult, "step \(step)")
                #expect(address % UInt64(alignment) == 0, "alignment \(alignment) at step \(step)")
                // No overlap with any live block.
                for block in live {
                    #expect(address + UInt64(size) <= block.address || block.address + UInt64(block.size) <= address,
                            "overlap at step \(step)")
                }
                // Fill it, so a later overlap would show up as corrupted contents.
                let fill = UInt8(truncatingIfNeeded: step)
                let offset = Int(address - memory.memory.region.base)
                memory.memory.region.fill(fill, offset: offset, count: size)
                live.append((address, size, fill))
            } else {
                let block = live.remove(at: random.next(below: live.count))
                let offset = Int(block.address - memory.memory.region.base)
                #expect(memory.memory.region.bytes(at: offset, count: block.size).allSatisfy { $0 == block.fill })
                try heap.free(block.address)
            }
        }
        for block in live { try heap.free(block.address) }
        #expect(heap.statistics.bytesInUse == 0)
        #expect(heap.statistics.blocksInUse == 0)
        // Every page is free again: a page run as large as the heap's biggest chunk fits.
        let pagesBefore = heap.statistics.freePages
        let grantsBefore = memory.grants
        for _ in 0..<1000 { let aResult = heap.allocate(size: 64)
        let a = try #require(aResult); try heap.free(a) }
        #expect(memory.grants == grantsBefore, "freed memory is reused, not grown")
        #expect(heap.statistics.freePages == pagesBefore)
    }

    @Test func smallBlocksAreReusedAfterFree() throws {
        var heap = try #require(KernelHeap(memory: TestHeapMemory(bytes: 1 << 20)))
        let firstResult = heap.allocate(size: 64)
        let first = try #require(firstResult)
        try heap.free(first)
        #expect(heap.allocate(size: 64) == first)
    }

    @Test func reportsDoubleAndInvalidFrees() throws {
        var heap = try #require(KernelHeap(memory: TestHeapMemory(bytes: 1 << 20)))
        let smallResult = heap.allocate(size: 32)
        let small = try #require(smallResult)
        let otherResult = heap.allocate(size: 32)
        let other = try #require(otherResult)
        let largeResult = heap.allocate(size: 10_000)
        let large = try #require(largeResult)
        try heap.free(small)
        #expect(throws: HeapError.doubleFree(small)) { try heap.free(small) }
        #expect(throws: HeapError.invalidFree(other + 8)) { try heap.free(other + 8) }
        #expect(throws: HeapError.invalidFree(large + 4096)) { try heap.free(large + 4096) }
        #expect(throws: HeapError.notInHeap(0x1234)) { try heap.free(0x1234) }
        try heap.free(large)
        #expect(throws: HeapError.doubleFree(large)) { try heap.free(large) }
    }

    @Test func exhaustionReturnsNilAndTheHeapStillWorks() throws {
        let memory = TestHeapMemory(bytes: 256 * 1024)
        var heap = try #require(KernelHeap(memory: memory))
        var blocks: [UInt64] = []
        while let block = heap.allocate(size: 1024) { blocks.append(block) }
        #expect(blocks.count > 100)
        #expect(heap.allocate(size: 1 << 20) == nil)
        for block in blocks { try heap.free(block) }
        #expect(heap.allocate(size: 1024) != nil)
    }

    @Test func statisticsTrackUseAndPeak() throws {
        var heap = try #require(KernelHeap(memory: TestHeapMemory(bytes: 1 << 20)))
        let aResult = heap.allocate(size: 100)
        let a = try #require(aResult)     // class 128
        let bResult = heap.allocate(size: 5000)
        let b = try #require(bResult)    // two pages
        #expect(heap.statistics.bytesInUse == 128 + 8192)
        try heap.free(b)
        try heap.free(a)
        #expect(heap.statistics.bytesInUse == 0)
        #expect(heap.statistics.peakBytes == 128 + 8192)
    }
}

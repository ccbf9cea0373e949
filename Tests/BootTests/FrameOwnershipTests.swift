import Testing
import X86
@testable import Boot
import SimulatedFrames

@Suite("Frame and heap ownership in the fence", .serialized)
struct FrameOwnershipTests {
    init() { SimulatedFrames.install() }

    @Test func aFrameHasOneOwnerAndComesBackOnlyThroughItsToken() {
        let address = PhysAddr(0x8_0000)
        guard let first = FrameTable.claim(address) else { Issue.record("a free frame was refused"); return }
        let firstAddress = first.address
        #expect(firstAddress == address)
        let second = FrameTable.claim(address)
        let secondIsNil = second == nil
        #expect(secondIsNil, "a claimed frame cannot be claimed again")
        #expect(!FrameTable.isFree(address))
        let released = FrameTable.release(first)
        #expect(released == address)
        #expect(FrameTable.isFree(address))
    }

    @Test func unmanagedAndMisalignedFramesAreNeverHandedOut() {
        let pageZero = FrameTable.claim(PhysAddr(0))
        let pageZeroIsNil = pageZero == nil
        #expect(pageZeroIsNil, "page 0 is not free RAM")
        let misaligned = FrameTable.claim(PhysAddr(0x8_0010))
        let misalignedIsNil = misaligned == nil
        #expect(misalignedIsNil)
        let beyond = FrameTable.claim(PhysAddr(UInt64(SimulatedFrames.ramBytes) + 0x10_0000))
        let beyondIsNil = beyond == nil
        #expect(beyondIsNil, "a frame beyond the table")
    }

    @Test func aRunIsClaimedAllOrNothing() {
        let blocker = FrameTable.claim(PhysAddr(0x9_2000))
        let run = FrameTable.claimRun(PhysAddr(0x9_0000), count: 4)
        let runIsNil = run == nil
        #expect(runIsNil, "one frame of the run is taken")
        #expect(FrameTable.isFree(PhysAddr(0x9_0000)), "nothing was taken")
        if let blocker { _ = FrameTable.release(blocker) }
        if let run = FrameTable.claimRun(PhysAddr(0x9_0000), count: 4) { _ = FrameTable.release(run) } else { Issue.record("the run is free now") }
    }

    @Test func aBootModulesFramesAreNeverFreeAndAreHandedOverOnceWhole() {
        let module = SimulatedFrames.bootModule
        let count = Int(module.size) / 4096
        let claimed = FrameTable.claim(module.start)
        let claimedIsNil = claimed == nil
        #expect(claimedIsNil, "a module's frame is not free")
        #expect(!FrameTable.isFree(module.start))
        let tooLong = FrameTable.takeBootModule(module.start, count: count + 1)
        let tooLongIsNil = tooLong == nil
        #expect(tooLongIsNil, "a run reaching past the module is refused whole")
        let straddling = FrameTable.takeBootModule(PhysAddr(module.start.value - 0x1000), count: 2)
        let straddlingIsNil = straddling == nil
        #expect(straddlingIsNil, "a run starting in free RAM is refused whole")
        guard let run = FrameTable.takeBootModule(module.start, count: count) else { Issue.record("the module's frames were refused"); return }
        let runCount = run.count
        #expect(runCount == count)
        let again = FrameTable.takeBootModule(module.start, count: count)
        let againIsNil = again == nil
        #expect(againIsNil, "a module's frames are handed over once")
        _ = FrameTable.release(run)
        #expect(FrameTable.isFree(module.start) && FrameTable.isFree(PhysAddr(module.end.value - 0x1000)))
    }

    @Test func permanentMemoryNeverReturnsToTheFreeFrames() {
        let region = FrameTable.claimPermanent(PhysAddr(0xA_0000), count: 2)
        let size = region?.size
        #expect(size == 8192)
        #expect(!FrameTable.isFree(PhysAddr(0xA_1000)))
        let again = FrameTable.claim(PhysAddr(0xA_0000))
        let againIsNil = again == nil
        #expect(againIsNil)
    }

    @Test func theHeapCheckRefusesOverlapsForeignMemoryAndFreesOfNonBlocks() throws {
        guard let run = FrameTable.claimRun(PhysAddr(0xC_0000), count: 8) else { Issue.record("no run"); return }
        let made = HeapGrant.make(from: run, metadataBytesPerPage: 64)
        let grant = try #require(made)
        #expect(grant.dataPages >= 5)
        let base = grant.dataBase
        #expect(HeapOwnership.claim(base, size: 64))
        #expect(!HeapOwnership.claim(base + 32, size: 64), "overlaps a live block")
        #expect(!HeapOwnership.claim(base + 48, size: 16), "inside a live block")
        #expect(HeapOwnership.claim(base + 64, size: 4096 + 16), "right after it, across a page")
        #expect(!HeapOwnership.claim(grant.metadata.base, size: 16), "the allocator's metadata is no heap data")
        #expect(!HeapOwnership.claim(0x1234_5670, size: 16), "memory never granted")
        #expect(!HeapOwnership.release(base + 16), "not the start of a block")
        #expect(HeapOwnership.release(base))
        #expect(!HeapOwnership.release(base), "a double free")
        #expect(HeapOwnership.claim(base + 16, size: 48), "the freed granules are free again")
        #expect(!HeapOwnership.claim(base + 64, size: 16), "the second block is still live")
        #expect(HeapOwnership.release(base + 64))
        #expect(HeapOwnership.claim(base + 64 + 4096, size: 16), "all of the second block was freed")
    }

    @Test func aDetachedBlockCannotBeFreedAgainNorOverlappedUntilItIsReattachedOrCleared() throws {
        guard let run = FrameTable.claimRun(PhysAddr(0xD_8000), count: 4) else { Issue.record("no run"); return }
        let made = HeapGrant.make(from: run, metadataBytesPerPage: 64)
        let grant = try #require(made)
        let base = grant.dataBase
        #expect(HeapOwnership.claim(base, size: 48))
        #expect(HeapOwnership.detach(base) == 3, "three granules")
        #expect(HeapOwnership.detach(base) == nil, "a second free of a cached block is refused")
        #expect(!HeapOwnership.claim(base + 16, size: 16), "a cached block's granules stay taken")
        HeapOwnership.reattach(base)
        #expect(HeapOwnership.release(base), "handed out again, it is freed normally")
        #expect(HeapOwnership.claim(base, size: 4096 + 32), "a block across a bitmap word")
        #expect(HeapOwnership.claim(base + 4096 + 32, size: 16), "its neighbour")
        #expect(HeapOwnership.detach(base + 4096 + 32) == 1)
        #expect(HeapOwnership.detach(base) == 258, "a detached neighbour keeps its boundary")
        HeapOwnership.clear(base, granules: 258)
        #expect(HeapOwnership.claim(base + 16, size: 16), "its granules are free after the clear")
    }
}

import Testing
import X86

@Suite("MemoryRegion: bounds-checked memory access")
struct MemoryRegionTests {
    let memory = SimulatedMemory(size: 256)

    @Test func storesAndLoadsValuesOfEveryWidth() {
        let region = memory.region
        region.store(UInt8(0xAB), at: 0)
        region.store(UInt16(0xBEEF), at: 1)          // unaligned
        region.store(UInt32(0xDEAD_BEEF), at: 3)
        region.store(UInt64(0x0123_4567_89AB_CDEF), at: 248)  // the last eight bytes
        #expect(region.load(as: UInt8.self, at: 0) == 0xAB)
        #expect(region.load(as: UInt16.self, at: 1) == 0xBEEF)
        #expect(region.load(as: UInt32.self, at: 3) == 0xDEAD_BEEF)
        #expect(region.load(as: UInt64.self, at: 248) == 0x0123_4567_89AB_CDEF)
        #expect(region.load(as: UInt8.self, at: 248) == 0xEF, "little-endian")
    }

    @Test func fillsAndCopiesIncludingOverlappingRanges() {
        let region = memory.region
        region.fill(0x11, offset: 10, count: 5)
        #expect(region.bytes(at: 9, count: 7) == [0, 0x11, 0x11, 0x11, 0x11, 0x11, 0])
        region.copy(bytes: [1, 2, 3, 4, 5], to: 20)
        region.copy(from: region, sourceOffset: 20, to: 22, count: 5)  // overlapping, forwards
        #expect(region.bytes(at: 20, count: 7) == [1, 2, 1, 2, 3, 4, 5])
        region.copy(from: region, sourceOffset: 22, to: 20, count: 5)  // overlapping, backwards
        #expect(region.bytes(at: 20, count: 5) == [1, 2, 3, 4, 5])
    }

    @Test func subregionsAreViewsOfTheSameBytes() {
        let inner = memory.region.subregion(offset: 64, size: 16)
        #expect(inner.base == memory.region.base + 64)
        #expect(inner.size == 16)
        inner.store(UInt32(7), at: 12)
        #expect(memory.region.load(as: UInt32.self, at: 76) == 7)
        #expect(memory.region.offset(of: inner.base) == 64)
        #expect(inner.offset(of: memory.region.base) == nil)
    }

    @Test func containsChecksWholeRanges() {
        let region = memory.region
        #expect(region.contains(address: region.base))
        #expect(!region.contains(address: region.end))
        #expect(region.contains(address: region.end - 8, count: 8))
        #expect(!region.contains(address: region.end - 8, count: 9))
        #expect(!region.contains(address: region.base &- 1, count: 2))
    }

    @Test func aLoadPastTheEndIsAPanicNotAStrayRead() async {
        await #expect(processExitsWith: .failure) {
            let memory = SimulatedMemory(size: 16)
            _ = memory.region.load(as: UInt64.self, at: 9)
        }
    }

    @Test func aStoreAtANegativeOffsetIsAPanic() async {
        await #expect(processExitsWith: .failure) {
            let memory = SimulatedMemory(size: 16)
            memory.region.store(UInt8(1), at: -1)
        }
    }

    @Test func aSubregionCannotGrowPastItsParent() async {
        await #expect(processExitsWith: .failure) {
            let memory = SimulatedMemory(size: 16)
            _ = memory.region.subregion(offset: 8, size: 9)
        }
    }

    @Test func physicalWindowsTranslateAndRefuseWhatTheyDoNotCover() {
        let memory = SimulatedMemory(size: 4096, physicalBase: PhysAddr(0x10_0000))
        let window = memory.window
        #expect(window.covers(PhysAddr(0x10_0000), size: 4096))
        #expect(!window.covers(PhysAddr(0x10_0001), size: 4096))
        #expect(!window.covers(PhysAddr(0xF_FFFF), size: 1))
        let view = window.region(at: PhysAddr(0x10_0800), size: 8)
        view?.store(UInt64(42), at: 0)
        #expect(memory.region.load(as: UInt64.self, at: 0x800) == 42)
        #expect(window.region(at: PhysAddr(0x10_0FFC), size: 8) == nil)
    }
}

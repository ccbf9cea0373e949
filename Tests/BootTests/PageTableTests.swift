import Testing
import Alloc
@testable import Boot
import Paging
import X86

/// 4 MiB of simulated physical memory whose frames a bitmap allocator hands out as page tables.
struct SimulatedMachine {
    let ram = SimulatedMemory(size: 4 << 20, physicalBase: PhysAddr(0))
    let bitmap = SimulatedMemory(size: 4096)
    var frames: BitmapFrameAllocator

    init() {
        let map = MemoryMap(entries: [MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0), size: 4 << 20), kind: .usable)])
        frames = BitmapFrameAllocator(memoryMap: map, excluding: [PhysicalRange(start: PhysAddr(0), size: 4096)],
                                      limit: PhysAddr(4 << 20), storage: bitmap.region)
    }

    func pageTable() throws -> PageTable<BitmapFrameAllocator> {
        try #require(PageTable(memory: ram.window, frames: frames))
    }
}

@Suite("4-level page tables on simulated physical memory")
struct PageTableTests {
    let machine = SimulatedMachine()

    @Test func mapTranslateUnmapRoundTrip() throws {
        var table = try machine.pageTable()
        let page = VirtAddr(0x0000_1234_5678_9000)
        let frame = PhysAddr(0x30_0000)
        try table.map(page, to: frame, size: .size4KiB, flags: [.writable, .noExecute]).ignore()
        let translation = try #require(table.translate(VirtAddr(page.value + 0xABC)))
        #expect(translation.physical == PhysAddr(0x30_0ABC))
        #expect(translation.size == .size4KiB)
        #expect(translation.flags.isSuperset(of: [.present, .writable, .noExecute]))
        #expect(table.translate(VirtAddr(page.value + 0x1000)) == nil)
        #expect(table.tableCount() == 4)

        let unmapped = try table.unmap(VirtAddr(page.value + 0x10))
        #expect(unmapped.frame == frame && unmapped.size == .size4KiB)
        #expect(unmapped.flush.address == page)
        #expect(table.translate(page) == nil)
    }

    @Test func unmappingTheLastPageFreesEmptiedTables() throws {
        var table = try machine.pageTable()
        let freeAtStart = table.frames.freeFrames
        let a = VirtAddr(0x0000_4000_0000_0000), b = VirtAddr(0x0000_4000_0000_1000)
        try table.map(a, to: PhysAddr(0x20_0000), size: .size4KiB, flags: .writable).ignore()
        try table.map(b, to: PhysAddr(0x20_1000), size: .size4KiB, flags: .writable).ignore()
        #expect(table.frames.freeFrames == freeAtStart - 3, "PDPT, PD and PT were allocated")
        _ = try table.unmap(a)
        #expect(table.frames.freeFrames == freeAtStart - 3, "the page table still maps b")
        _ = try table.unmap(b)
        #expect(table.frames.freeFrames == freeAtStart, "PT, PD and PDPT were freed")
        #expect(table.tableCount() == 1)
    }

    @Test func hugePagesMapAndTranslate() throws {
        var table = try machine.pageTable()
        try table.map(VirtAddr(0x4000_0000), to: PhysAddr(0x20_0000), size: .size2MiB, flags: [.writable]).ignore()
        try table.map(VirtAddr(0x80_0000_0000), to: PhysAddr(0x4000_0000), size: .size1GiB, flags: []).ignore()
        let two = try #require(table.translate(VirtAddr(0x401F_FFFF)))
        #expect(two.physical == PhysAddr(0x3F_FFFF) && two.size == .size2MiB && two.flags.contains(.hugePage))
        let one = try #require(table.translate(VirtAddr(0x80_1234_5678)))
        #expect(one.physical == PhysAddr(0x5234_5678) && one.size == .size1GiB && !one.flags.contains(.writable))
        #expect(throws: MappingError.hugePageInTheWay(VirtAddr(0x4000_1000))) {
            try table.map(VirtAddr(0x4000_1000), to: PhysAddr(0x1000), size: .size4KiB, flags: []).ignore()
        }
        let removed = try table.unmap(VirtAddr(0x4012_3456))
        #expect(removed.size == .size2MiB && removed.frame == PhysAddr(0x20_0000))
        #expect(removed.flush.address == VirtAddr(0x4000_0000))
    }

    @Test func refusesOverlapsMisalignmentAndAbsentPages() throws {
        var table = try machine.pageTable()
        try table.map(VirtAddr(0x1000), to: PhysAddr(0x1000), size: .size4KiB, flags: []).ignore()
        #expect(throws: MappingError.alreadyMapped(VirtAddr(0x1000))) {
            try table.map(VirtAddr(0x1000), to: PhysAddr(0x2000), size: .size4KiB, flags: []).ignore()
        }
        #expect(throws: MappingError.misaligned(VirtAddr(0x20_1000))) {
            try table.map(VirtAddr(0x20_1000), to: PhysAddr(0x20_0000), size: .size2MiB, flags: []).ignore()
        }
        #expect(throws: MappingError.notMapped(VirtAddr(0x5000))) { _ = try table.unmap(VirtAddr(0x5000)) }
    }

    @Test func userLeavesMakeTheirPathUserAccessible() throws {
        var table = try machine.pageTable()
        try table.map(VirtAddr(0x7000), to: PhysAddr(0x7000), size: .size4KiB, flags: [.user, .writable]).ignore()
        #expect(try #require(table.translate(VirtAddr(0x7000))).flags.contains(.user))
    }

    @Test func runningOutOfFramesForTablesIsAnError() throws {
        let tiny = SimulatedMemory(size: 3 * 4096, physicalBase: PhysAddr(0))
        let bitmap = SimulatedMemory(size: 64)
        let map = MemoryMap(entries: [MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0), size: 3 * 4096), kind: .usable)])
        let frames = BitmapFrameAllocator(memoryMap: map, excluding: [], limit: PhysAddr(3 * 4096), storage: bitmap.region)
        var table = try #require(PageTable(memory: tiny.window, frames: frames))
        #expect(throws: MappingError.outOfFrames) {
            try table.map(VirtAddr(0x1000), to: PhysAddr(0x1000), size: .size4KiB, flags: []).ignore()
        }
    }
}

@Suite("The kernel's address space")
struct KernelAddressSpaceTests {
    // A kernel at 1 MiB: text, rodata, data, then a guard page and a stack, a guard and an IST stack.
    let layout = KernelLayout(
        image: PhysicalRange(start: PhysAddr(0x10_0000), size: 0x2_0000),
        text: PhysicalRange(start: PhysAddr(0x10_0020), size: 0x8000),
        readOnlyData: PhysicalRange(start: PhysAddr(0x10_9000), size: 0x2000),
        writableData: PhysicalRange(start: PhysAddr(0x10_B000), size: 0x1_5000),
        stack: PhysicalRange(start: PhysAddr(0x11_1000), size: 0x8000),
        interruptStack: PhysicalRange(start: PhysAddr(0x11_A000), size: 0x2000))

    @Test func sectionsGetWXorXPermissionsAndGuardsStayUnmapped() throws {
        let machine = SimulatedMachine()
        var table = try machine.pageTable()
        let layout = self.layout
        try KernelPages.buildIdentityMap(in: &table, layout: layout, memoryEnd: PhysAddr(4 << 20),
                                         permissions: { KernelAddressSpace.permissions(of: $0, layout: layout) })
        func flags(_ address: UInt64) -> PageTableFlags? { table.translate(VirtAddr(address))?.flags }

        #expect(flags(0) == nil, "page 0 is never mapped")
        let text = try #require(flags(0x10_0000))
        #expect(!text.contains(.writable) && !text.contains(.noExecute), "text is R-X")
        let rodata = try #require(flags(0x10_9000))
        #expect(!rodata.contains(.writable) && rodata.contains(.noExecute), "rodata is R--")
        let data = try #require(flags(0x10_B000))
        #expect(data.contains(.writable) && data.contains(.noExecute), "data is RW-")
        #expect(flags(0x11_0000) == nil && flags(0x11_9000) == nil, "guard pages are unmapped")
        #expect(try #require(table.translate(VirtAddr(0x11_1000))).physical == PhysAddr(0x11_1000), "identity")
        let high = try #require(table.translate(VirtAddr(0x30_0000)))
        #expect(high.size == .size2MiB && high.flags.contains(.noExecute))
        #expect(table.translate(VirtAddr(4 << 20)) == nil, "nothing above the end of RAM")
        #expect(KernelAddressSpace.guardPages(layout: layout).map { $0.start } == [PhysAddr(0x11_0000), PhysAddr(0x11_9000)])
    }
}

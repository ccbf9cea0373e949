import Alloc
import Boot
import X86

/// Starts Paging: builds the kernel's address space with W^X permissions and guard pages,
/// has Boot check and activate it, installs the demand pager, and moves heap growth onto
/// mapped virtual memory.
public enum PagingModule: KernelModule {
    /// The part of the lazy area the kernel heap grows into.
    static let heapAreaBytes = 64 << 30

    public static func start(_ kernel: inout KernelResources) {
        guard var table = PageTable(memory: kernel.physicalMemory, frames: KernelFrames()) else {
            Panic.halt("Paging: no frame for the kernel's PML4")
        }
        var memoryEnd: UInt64 = 0
        for entry in kernel.boot.memoryMap.entries where entry.kind == .usable { memoryEnd = max(memoryEnd, entry.range.end.value) }
        let windowEnd = kernel.physicalMemory.physicalBase.value + UInt64(kernel.physicalMemory.region.size)
        let end = PhysAddr(min(memoryEnd, windowEnd)).alignedUp(to: PageSize.size2MiB.bytes)
        do {
            try KernelAddressSpace.build(in: &table, layout: kernel.layout, memoryEnd: end)
        } catch {
            Panic.halt("Paging: building the kernel's address space failed")
        }
        let guardPages = KernelAddressSpace.guardPages(layout: kernel.layout)
        KernelMemory.state.withLock { state in
            state.table = table
            state.memory = kernel.physicalMemory
            state.guardPages = guardPages
        }
        Kernel.activate(KernelMappingsView(), resources: kernel)

        // Demand paging in all but the heap's part of the lazy area.
        let heapArea = kernel.lazyArea.subregion(offset: 0, size: heapAreaBytes)
        let demandArea = kernel.lazyArea.subregion(offset: heapAreaBytes, size: kernel.lazyArea.size - heapAreaBytes)
        DemandPager.start(lazyArea: demandArea)
        DemandPager.backStacks(kernel.threadStacks.arena)
        Heap.useMemory(PagedHeapMemory(area: heapArea))
    }
}

/// The kernel's mappings as Boot checks them before switching to them.
struct KernelMappingsView: KernelMappings {
    var rootTable: PhysAddr { KernelMemory.state.withLock { $0.table?.root ?? PhysAddr(0) } }

    func translate(_ address: UInt64) -> (physical: PhysAddr, writable: Bool, executable: Bool)? {
        guard let virtual = VirtAddr(checked: address), let translation = KernelMemory.translate(virtual) else { return nil }
        return (translation.physical, translation.flags.contains(.writable), !translation.flags.contains(.noExecute))
    }
}

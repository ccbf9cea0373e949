import Alloc
import Boot
import X86

/// Starts Paging: has Boot build, check and activate the kernel's address space with W^X
/// permissions and guard pages, and installs the demand pager.
public enum PagingModule: KernelModule {
    public static func start(_ kernel: inout KernelResources) {
        var memoryEnd: UInt64 = 0
        for entry in kernel.boot.memoryMap.entries where entry.kind == .usable { memoryEnd = max(memoryEnd, entry.range.end.value) }
        let end = PhysAddr(min(memoryEnd, 0x1_0000_0000)).alignedUp(to: PageSize.size2MiB.bytes)
        let layout = kernel.layout
        KernelMemory.guardPages.withLock { $0 = KernelAddressSpace.guardPages(layout: layout) }
        guard KernelPages.activate(kernel, memoryEnd: end, permissions: { KernelAddressSpace.permissions(of: $0, layout: layout) },
                                   tableFrames: KernelTableFrames()) else {
            Panic.halt("Paging: building the kernel's address space failed")
        }
        // Demand paging in all of the lazy area modules were given, and in the stack slots.
        DemandPager.start(lazyArea: kernel.lazyArea)
        DemandPager.backStacks(kernel.threadStacks.arena)
    }
}

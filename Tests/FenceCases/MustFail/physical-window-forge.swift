// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(region:physicalBase:)'
// A window claiming a region is other physical memory would hand out lying DMA buffers.
import X86

func pretend(_ region: MemoryRegion) -> PhysicalMemoryWindow {
    PhysicalMemoryWindow(region: region, physicalBase: PhysAddr(0))
}

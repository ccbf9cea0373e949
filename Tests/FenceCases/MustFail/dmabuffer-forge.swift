// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(region:physicalAddress:)'
// A DMA buffer that lies about its physical address aims the device at someone else's memory.
import X86

func aim(_ region: MemoryRegion) -> DMABuffer {
    DMABuffer(region: region, physicalAddress: PhysAddr(0x10_0000))
}

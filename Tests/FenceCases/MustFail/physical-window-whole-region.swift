// expected-error: cannot convert return expression of type '@Sendable (PhysAddr, Int) -> MemoryRegion?' to return type 'MemoryRegion'
// (the only member named `region` left public is region(at:size:), which withholds)
// A window that withholds RAM must not hand out its whole region.
import Boot
import X86

func everything(_ kernel: borrowing KernelResources) -> MemoryRegion {
    kernel.firmwareMemory.region
}

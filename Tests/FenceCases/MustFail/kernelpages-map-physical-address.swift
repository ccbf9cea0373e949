// expected-error: cannot convert value of type 'PhysAddr' to expected argument type 'Frame'
// The kernel's page table maps only owned frames, never an arbitrary physical address.
import Boot
import X86

func mapKernelText() {
    _ = KernelPages.map(VirtAddr(0x1000_0000_0000), frame: PhysAddr(0x10_0000), writable: true)
}

// expected-error: initializer is inaccessible due to 'internal' protection level
// Only the frame table makes frame tokens: a forged one would own the kernel's page tables.
import Boot
import X86

func forge() -> Frame {
    Frame(address: PhysAddr(0x1000))
}

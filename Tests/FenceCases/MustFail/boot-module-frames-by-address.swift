// expected-error: 'takeBootModule' is inaccessible due to 'internal' protection level
// A boot module's frames are handed over by KernelResources alone, which stops reading the
// module first: no one can take them by address while Boot may still read them.
import Boot
import X86

func take() {
    _ = FrameTable.takeBootModule(PhysAddr(0x100_0000), count: 16)
}

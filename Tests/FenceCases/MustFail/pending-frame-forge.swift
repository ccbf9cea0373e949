// expected-error: initializer is inaccessible due to 'internal' protection level
// A pending frame names a frame still mapped somewhere until it is flushed.
import Boot
import X86

func forge() -> PendingFrame {
    PendingFrame(address: PhysAddr(0x1000), page: VirtAddr(0x1000))
}

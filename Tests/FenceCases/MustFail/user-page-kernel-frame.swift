// expected-error: cannot convert value of type 'Frame'
// A user page takes a frame only by its address in the free state; an owned frame token
// (a kernel object's memory) cannot be handed to ring 3.
import Boot
import X86

func expose(_ frame: consuming Frame) -> Bool {
    UserAddressSpace.back(VirtAddr(0x2000_0000_0000), protection: [.read, .write], freeFrame: frame)
}

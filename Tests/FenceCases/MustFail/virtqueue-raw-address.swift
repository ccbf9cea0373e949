// expected-error: cannot convert value of type 'PhysAddr' to expected argument type 'DMABuffer'
// A descriptor names a buffer the driver owns, never a bare physical address.
import Virtio
import X86

func aim(_ queue: Virtqueue) -> UInt16? {
    queue.offer(PhysAddr(0x10_0000), length: 4096, writable: true)
}

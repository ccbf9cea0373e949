// expected-error: cannot assign to property: 'reserved' setter is inaccessible
// Unreserving the kernel image would let the frame table hand out its frames.
import Boot

func unreserve(_ kernel: inout KernelResources) {
    kernel.reserved = []
}

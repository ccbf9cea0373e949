// expected-error: 'kernel' is borrowed and cannot be consumed
// The capabilities are minted once and cannot be kept by copying them.
import Boot

func keep(_ kernel: borrowing KernelResources) -> KernelResources {
    kernel
}

// expected-error: 'window' is inaccessible due to 'internal' protection level
// The identity window over all low RAM stays inside the fence.
import Boot
import X86

func everything(_ kernel: borrowing KernelResources) -> PhysicalMemoryWindow {
    kernel.window
}

// expected-error: 'frame' consumed more than once
// A frame mapped at two addresses would alias: mapping consumes it.
import Boot
import X86

func alias(_ frame: consuming Frame) {
    _ = KernelPages.map(VirtAddr(0x1000_0000_0000), frame: frame, writable: true)
    _ = KernelPages.map(VirtAddr(0x1000_0000_1000), frame: frame, writable: true)
}

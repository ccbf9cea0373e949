// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(unsafeBase:size:)'
// Creating a region from an address is the one thing a safe module must not do.
import X86

func forge() -> MemoryRegion {
    MemoryRegion(unsafeBase: 0x1000, size: 16)
}

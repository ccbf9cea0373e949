// expected-error: cannot find type 'KernelMappings' in scope
// Loading CR3 from mappings the fence did not build would drop the running code.
import Boot
import X86

func switchTo(_ layout: KernelLayout) {
    struct Lie: KernelMappings {
        var rootTable: PhysAddr { PhysAddr(0x1000) }
        func translate(_ address: UInt64) -> (physical: PhysAddr, writable: Bool, executable: Bool)? { (PhysAddr(address), true, true) }
    }
    Kernel.activate(Lie(), layout: layout)
}

// expected-error: initializer is inaccessible due to 'internal' protection level
// Only Boot mints the kernel's resources.
import Boot
import X86

func forge(_ info: BootInfo, _ layout: KernelLayout, _ memory: PhysicalMemoryWindow, _ area: MemoryRegion,
           _ stacks: ThreadStacks, _ context: ExecutionContext) -> KernelResources {
    KernelResources(boot: info, layout: layout, physicalMemory: memory, lazyArea: area, reserved: [],
                    threadStacks: stacks, bootContext: context)
}

import Boot
import X86

/// Starts Sched: the boot code becomes the first thread, and an idle thread is created.
public enum SchedModule: KernelModule {
    public static func start(_ kernel: inout KernelResources) {
        guard let boot = kernel.takeBootContext() else { Panic.halt("Sched: the boot context was taken already") }
        CoreScheduler.start(boot: boot, stacks: kernel.threadStacks)
    }
}

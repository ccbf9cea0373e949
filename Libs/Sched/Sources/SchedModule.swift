import Boot

/// Starts Sched: the boot code becomes the first thread, and an idle thread is created.
public enum SchedModule: KernelModule {
    public static func start(_ kernel: inout KernelResources) {
        CoreScheduler.start(bootStack: kernel.bootStack)
    }
}

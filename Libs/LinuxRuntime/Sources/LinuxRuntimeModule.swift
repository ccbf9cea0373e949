import Alloc
import Boot
import Paging
import X86

/// Starts the Linux layer: keeps a copy of the boot module's bytes for the program (the
/// module's frames join the free frames), and installs the
/// system call handler, the fault handler and the page-fault resolver for the program's pages.
public enum LinuxRuntimeModule: KernelModule {
    public static func start(_ kernel: inout KernelResources) {
        let contents = kernel.moduleContents(0)
        LinuxRuntime.initrd.withLock { $0 = contents }
        // The copy is what the program reads: the module's own frames become free frames
        // (what is left of it is its first and last partial frame).
        var module = kernel.boot.modules.first?.size ?? 0
        if let frames = kernel.releaseModule(0) {
            module -= min(module, UInt64(frames.size))
            Frames.adopt(frames)
        }
        let area = kernel.programArea?.size ?? 0
        LinuxRuntime.heldOutsideFrames.withLock { $0 = (module, area) }
        guard UserMode.setSystemCallHandler({ registers in LinuxRuntime.systemCall(&registers) }),
              UserMode.setFaultHandler({ frame, reason in LinuxRuntime.fault(frame, reason) }),
              DemandPager.setUserFaultResolver(ProgramFaultResolver()) else {
            Panic.halt("LinuxRuntime: the ring-3 handlers were installed already")
        }
    }
}

/// The program's page faults, decided by its mappings (``LinuxRuntime/resolve(_:_:_:)``).
final class ProgramFaultResolver: UserFaultResolver {
    func protection(at address: UInt64, write: Bool, execute: Bool) -> UserAddressSpace.Protection? {
        LinuxRuntime.resolve(address, write, execute)
    }
}

import Synchronization
import X86
#if hasFeature(Embedded)
import BootEntry
#endif

/// Starting the other processors (application processors, APs).
///
/// Guarantees: an AP is started with its own stack, its own GDT and TSS (with a double-fault
/// stack), the kernel's IDT and address space, and then runs the entry function set with
/// ``setEntry(_:)``; ``start(apicID:index:stack:interruptStack:kernel:sendStartup:)``
/// returns whether the AP reported in within about 100 ms of guest time.
public enum ApplicationProcessors {
    /// Processors that have reached Swift, the boot processor included.
    static let online = Atomic<Int>(1)

    /// Processors running, the boot processor included.
    public static var onlineCount: Int { online.load(ordering: .acquiring) }

    // SAFETY: set once by the module that starts APs, before the first start-up; read-only after.
    nonisolated(unsafe) static var entry: ((Int) -> Never)? = nil
    // SAFETY: each entry is written by the BSP before it starts that AP and read by that AP only.
    nonisolated(unsafe) static var descriptorPages: [MemoryRegion] = []
    nonisolated(unsafe) static var interruptStackTops: [UInt64] = []

    /// Sets what every AP runs once it is up (called with its processor index, from 1).
    public static func setEntry(_ entry: @escaping (Int) -> Never) { unsafe ApplicationProcessors.entry = entry }

    /// Starts the AP with `apicID` as processor number `index`, on `stack`, with
    /// `interruptStack` (at least 20 KiB: its first 4 KiB hold the AP's GDT and TSS, then the
    /// page-fault and double-fault stacks of 8 KiB each; every page
    /// must be mapped already). `sendStartup(apicID, vector)` sends INIT-SIPI-SIPI.
    public static func start(apicID: UInt32, index: Int, stack: MemoryRegion, interruptStack: MemoryRegion,
                             kernel: KernelResources, sendStartup: (UInt32, UInt8) -> Void) -> Bool {
        #if hasFeature(Embedded)
        precondition(interruptStack.size >= 4096 + 2 * Int(DescriptorTables.istBytes),
                     "an AP's interrupt stack needs 4 KiB of descriptors and 16 KiB of stacks")
        let size = Int(boot_ap_trampoline_size())
        guard let page = kernel.physicalMemory.region(at: PhysAddr(UInt64(AP_TRAMPOLINE_ADDRESS)), size: 4096) else { return false }
        // SAFETY: the trampoline's code and data are `size` bytes of the image's rodata.
        let code = unsafe MemoryRegion(unsafeBase: boot_ap_trampoline_start(), size: size)
        page.copy(from: code, count: size)
        while unsafe descriptorPages.count <= index {
            unsafe descriptorPages.append(interruptStack)
            unsafe interruptStackTops.append(0)
        }
        unsafe descriptorPages[index] = interruptStack.subregion(offset: 0, size: 4096)
        unsafe interruptStackTops[index] = interruptStack.end
        let parameters = Int(boot_ap_parameters_offset())
        page.store(boot_pml4_address(), at: parameters)
        page.store(boot_ap_long_mode_address(), at: parameters + 8)
        page.store(ControlRegisters.cr3, at: parameters + 16)
        page.store(stack.end - 16, at: parameters + 24)
        page.store(UInt64(index), at: parameters + 32)
        let before = onlineCount
        sendStartup(apicID, UInt8(AP_TRAMPOLINE_ADDRESS >> 12))
        let deadline = TimeStampCounter.read() &+ 100_000_000
        while onlineCount == before {
            if TimeStampCounter.read() > deadline { return false }
            Processor.pause()
        }
        return true
        #else
        BareMachine.unavailable("starting a processor")
        #endif
    }
}

#if hasFeature(Embedded)
/// The first Swift code an AP runs (from ap_long_mode), on its own stack in the kernel's
/// address space.
@_cdecl("hermit_ap_entry")
func hermitApplicationProcessorEntry(_ argument: UInt64) -> Never {
    let index = Int(argument)
    Processor.setIndex(index)
    let page = unsafe ApplicationProcessors.descriptorPages[index]
    let gdt = page.subregion(offset: 0, size: GlobalDescriptorTable.size)
    let tss = page.subregion(offset: 64, size: TaskStateSegment.size)
    TaskStateSegment.encode(into: tss, interruptStackTops: DescriptorTables.interruptStackTops(endingAt: unsafe ApplicationProcessors.interruptStackTops[index]))
    GlobalDescriptorTable.encode(into: gdt, taskState: tss)
    // SAFETY: the GDT and TSS live in this AP's own descriptor page, kept for the kernel's
    // life; the IDT is the boot processor's, which never changes after boot.
    unsafe GlobalDescriptorTable.load(gdt)
    unsafe InterruptDescriptorTable.load(DescriptorTables.idtRegion)
    _ = ApplicationProcessors.online.add(1, ordering: .releasing)
    guard let entry = unsafe ApplicationProcessors.entry else { Processor.stop() }
    entry(index)
}
#endif

import Synchronization
import X86
#if hasFeature(Embedded)
import BootEntry
#endif

/// Starting the other processors (application processors, APs).
///
/// Guarantees: an AP is started with its own stack, its own GDT and TSS (with a double-fault
/// stack), the kernel's IDT and address space, and then runs the entry function set with
/// ``setEntry(_:)``; ``start(apicID:index:stack:interruptStack:apic:ticksPerMicrosecond:kernel:)``
/// returns whether the AP reported in within about 100 ms of guest time.
public enum ApplicationProcessors {
    /// Processors that have reached Swift, the boot processor included.
    static let online = Atomic<Int>(1)

    /// Bit i: processor i has reached Swift (bit 0, the boot processor, from the start; up to 64).
    static let onlineMask = Atomic<UInt64>(1)

    /// Processors running, the boot processor included.
    public static var onlineCount: Int { online.load(ordering: .acquiring) }

    static let entrySet = Atomic<Bool>(false)
    // SAFETY: set once (guarded by `entrySet`) before the first start-up; read-only after.
    nonisolated(unsafe) static var entry: (@Sendable (Int, ExecutionContext) -> Never)? = nil
    // SAFETY: written only inside `start` (one caller at a time, `starting`), each entry before
    // that AP starts; read by that AP only, after it started.
    nonisolated(unsafe) static var descriptorPages: [MemoryRegion] = []
    nonisolated(unsafe) static var interruptStackTops: [UInt64] = []
    nonisolated(unsafe) static var contexts: [ExecutionContext?] = []
    // SAFETY: touched only inside `start`, which `starting` admits one caller at a time.
    nonisolated(unsafe) static var startedAPICs: [UInt32] = []
    static let starting = Atomic<Bool>(false)
    // SAFETY: as for `startedAPICs`.
    nonisolated(unsafe) static var lateStart = false

    /// Sets what every AP runs once it is up: called with its processor index (from 1) and
    /// the context of the code running on its first stack. Once only: a second call panics.
    public static func setEntry(_ entry: @escaping @Sendable (Int, ExecutionContext) -> Never) {
        guard !entrySet.exchange(true, ordering: .acquiringAndReleasing) else { Panic.halt("the AP entry is set once") }
        unsafe ApplicationProcessors.entry = entry
    }

    /// Starts the AP with `apicID` as processor number `index` through `apic` (INIT, then two
    /// STARTUP IPIs, which only Boot sends), on `stack`, with `interruptStack` (its first 4 KiB
    /// become the AP's GDT and TSS, the next 16 KiB its page-fault and double-fault stacks).
    /// Both stacks are consumed: the AP owns them for good. Every page is backed before the
    /// AP starts. `index` must be new (each processor index is given once); an APIC ID that is
    /// the caller's own or was started before is refused (false): INIT would reset it.
    public static func start(apicID: UInt32, index: Int, stack: consuming ThreadStack, interruptStack: consuming ThreadStack,
                             apic: LocalAPIC, ticksPerMicrosecond: UInt64, kernel: borrowing KernelResources) -> Bool {
        #if hasFeature(Embedded)
        precondition(index > 0 && index < Processor.maximumCount, "AP index out of range")
        // One start-up at a time: the tables below are shared with the APs' entry code.
        guard !starting.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        defer { starting.store(false, ordering: .releasing) }
        precondition(interruptStack.size >= 4096 + 2 * Int(DescriptorTables.istBytes),
                     "an AP's interrupt stack needs 4 KiB of descriptors and 16 KiB of stacks")
        precondition(unsafe index >= contexts.count || contexts[index] == nil, "an AP index is given once")
        // INIT resets whatever runs on the target: never the running processor or one started before.
        // The first start-up runs on the boot processor (no other one runs yet): its ID is
        // never a target. An xAPIC destination is 8 bits (0xFF broadcasts); x2APIC's 0xFFFFFFFF
        // broadcasts.
        if unsafe startedAPICs.isEmpty { unsafe startedAPICs.append(apic.id) }
        let valid = apic.access == .x2APIC ? apicID != 0xFFFF_FFFF : apicID < 0xFF
        guard unsafe !lateStart, valid, apicID != apic.id, unsafe !startedAPICs.contains(apicID) else { return false }
        unsafe startedAPICs.append(apicID)
        stack.touchEveryPage()
        interruptStack.touchEveryPage()
        let size = Int(boot_ap_trampoline_size())
        guard let page = kernel.window.region(at: PhysAddr(UInt64(AP_TRAMPOLINE_ADDRESS)), size: 4096) else { return false }
        // SAFETY: the trampoline's code and data are `size` bytes of the image's rodata.
        let code = unsafe MemoryRegion(unsafeBase: boot_ap_trampoline_start(), size: size)
        page.copy(from: code, count: size)
        // SAFETY: the interrupt stack's token was consumed here, so its memory is the AP's alone.
        // Descriptors in the top page, the interrupt stacks below them: an overflowing
        // interrupt stack runs into the slot's guard page, not into the TSS.
        let descriptors = unsafe MemoryRegion(unsafeBase: interruptStack.end - 4096, size: 4096)
        let interruptTop = interruptStack.end - 4096
        let stackTop = stack.end
        // SAFETY: the AP will run on `stack` from its first Swift instruction; the token moves
        // into the context, so no one else holds it.
        let context = unsafe ExecutionContext(runningOn: stack)
        while unsafe descriptorPages.count <= index {
            unsafe descriptorPages.append(descriptors)
            unsafe interruptStackTops.append(0)
            unsafe contexts.append(nil)
        }
        unsafe descriptorPages[index] = descriptors
        unsafe interruptStackTops[index] = interruptTop
        // SAFETY: recorded on the boot processor (one start-up at a time), before this AP runs.
        unsafe InterruptDispatch.record(processor: index, abortStackTop: interruptTop,
                                        pageFaultStackTop: interruptTop - DescriptorTables.istBytes, stackBytes: DescriptorTables.istBytes)
        unsafe contexts[index] = context
        let parameters = Int(boot_ap_parameters_offset())
        page.store(boot_pml4_address(), at: parameters)
        page.store(boot_ap_long_mode_address(), at: parameters + 8)
        page.store(ControlRegisters.cr3, at: parameters + 16)
        page.store(stackTop - 16, at: parameters + 24)
        page.store(UInt64(index), at: parameters + 32)
        let before = onlineCount
        // SAFETY: the trampoline page is ready and names this AP's own stack and index.
        unsafe apic.startProcessor(apicID: apicID, startPage: UInt8(AP_TRAMPOLINE_ADDRESS >> 12), ticksPerMicrosecond: ticksPerMicrosecond)
        let deadline = TimeStampCounter.read() &+ 100_000_000
        while onlineCount == before {
            if TimeStampCounter.read() > deadline {
                // It may still come up and read the tables: start no other AP after it.
                unsafe lateStart = true
                return false
            }
            Processor.pause()
        }
        return true
        #else
        _ = consume stack
        _ = consume interruptStack
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
    // SAFETY: the boot processor gave this AP its own index when it started it.
    unsafe Processor.setIndex(index)
    // Everything this AP needs from the shared tables is read before it reports in: the
    // boot processor may start the next AP (and grow the tables) only after that.
    let page = unsafe ApplicationProcessors.descriptorPages[index]
    let top = unsafe ApplicationProcessors.interruptStackTops[index]
    let context = unsafe ApplicationProcessors.contexts[index]
    let gdt = page.subregion(offset: 0, size: GlobalDescriptorTable.size)
    let tss = page.subregion(offset: 64, size: TaskStateSegment.size)
    TaskStateSegment.encode(into: tss, interruptStackTops: DescriptorTables.interruptStackTops(endingAt: top))
    GlobalDescriptorTable.encode(into: gdt, taskState: tss)
    // SAFETY: the GDT and TSS live in this AP's own descriptor page, kept for the kernel's
    // life; the IDT is the boot processor's, which never changes after boot.
    unsafe GlobalDescriptorTable.load(gdt)
    unsafe InterruptDescriptorTable.load(DescriptorTables.idtRegion)
    // SAFETY: `tss` is the TSS just loaded, in this AP's descriptor page kept for good.
    unsafe UserMode.prepareProcessor(taskState: tss)
    let entry = unsafe ApplicationProcessors.entry
    if index < 64 { _ = ApplicationProcessors.onlineMask.bitwiseOr(1 << UInt64(index), ordering: .releasing) }
    _ = ApplicationProcessors.online.add(1, ordering: .releasing)
    guard let entry, let context else { Processor.stop() }
    entry(index, context)
}
#endif

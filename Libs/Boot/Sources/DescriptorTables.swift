import X86
#if hasFeature(Embedded)
import BootEntry
#endif

/// Installs the boot processor's final GDT, TSS and IDT in the memory the entry code
/// reserved for them (boot_descriptor_tables, 8 KiB: IDT at 0, GDT at 4096, TSS at 4160).
enum DescriptorTables {
    /// IST entry 1 (the upper half of a processor's interrupt stack): double faults, NMIs and
    /// machine checks, so a kernel stack overflow still reaches the panic handler. IST entry 2
    /// (the lower half): page faults, because a fault on an untouched page of a demand-paged
    /// thread stack cannot push its frame onto that same stack.
    static let interruptStacks: [(vector: Int, stack: UInt8)] = [
        (Int(ExceptionVector.doubleFault.rawValue), 1),
        (Int(ExceptionVector.nonMaskableInterrupt.rawValue), 1),
        (Int(ExceptionVector.machineCheck.rawValue), 1),
        (Int(ExceptionVector.pageFault.rawValue), 2),
    ]

    /// Bytes of a processor's interrupt stack given to each IST entry.
    static let istBytes: UInt64 = 8192

    /// The TSS's IST tops for an interrupt stack ending at `top`: entry 1 at the top, entry 2
    /// half-way down.
    static func interruptStackTops(endingAt top: UInt64) -> [UInt64] { [top, top - istBytes] }

    /// The IDT, shared by every processor.
    static var idtRegion: MemoryRegion {
        #if hasFeature(Embedded)
        // SAFETY: as in install: reserved .bss for the descriptor tables.
        return unsafe MemoryRegion(unsafeBase: boot_descriptor_tables_address(), size: InterruptDescriptorTable.size)
        #else
        BareMachine.unavailable("the IDT")
        #endif
    }

    static func install(layout: KernelLayout) {
        #if hasFeature(Embedded)
        // SAFETY: boot_descriptor_tables is 8 KiB of .bss reserved for these tables alone and
        // never freed; nothing else refers to it.
        let tables = unsafe MemoryRegion(unsafeBase: boot_descriptor_tables_address(), size: 8192)
        let idt = tables.subregion(offset: 0, size: InterruptDescriptorTable.size)
        let gdt = tables.subregion(offset: 4096, size: GlobalDescriptorTable.size)
        let tss = tables.subregion(offset: 4160, size: TaskStateSegment.size)
        TaskStateSegment.encode(into: tss, interruptStackTops: interruptStackTops(endingAt: layout.interruptStack.end.value))
        // SAFETY: the boot processor, before any other processor runs.
        unsafe InterruptDispatch.record(processor: 0, abortStackTop: layout.interruptStack.end.value,
                                        pageFaultStackTop: layout.interruptStack.end.value - istBytes, stackBytes: istBytes)
        GlobalDescriptorTable.encode(into: gdt, taskState: tss)
        InterruptDescriptorTable.encode(into: idt, interruptStacks: interruptStacks)
        // SAFETY: the tables live in reserved .bss for the life of the kernel; the GDT's code
        // and data entries match the early GDT's, and every IDT gate points at an X86 stub.
        unsafe GlobalDescriptorTable.load(gdt)
        unsafe InterruptDescriptorTable.load(idt)
        // SAFETY: `tss` is the TSS just loaded, in reserved .bss kept for good.
        unsafe UserMode.prepareProcessor(taskState: tss)
        #endif
    }
}

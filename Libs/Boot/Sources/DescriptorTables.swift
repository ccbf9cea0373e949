import X86
#if hasFeature(Embedded)
import BootEntry
#endif

/// Installs the boot processor's final GDT, TSS and IDT in the memory the entry code
/// reserved for them (boot_descriptor_tables, 8 KiB: IDT at 0, GDT at 4096, TSS at 4160).
enum DescriptorTables {
    /// IST entry 1: double faults, NMIs and machine checks switch to the interrupt stack, so a
    /// kernel stack overflow still reaches the panic handler.
    static let interruptStacks: [(vector: Int, stack: UInt8)] = [
        (Int(ExceptionVector.doubleFault.rawValue), 1),
        (Int(ExceptionVector.nonMaskableInterrupt.rawValue), 1),
        (Int(ExceptionVector.machineCheck.rawValue), 1),
    ]

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
        TaskStateSegment.encode(into: tss, interruptStackTops: [layout.interruptStack.end.value])
        GlobalDescriptorTable.encode(into: gdt, taskState: tss)
        InterruptDescriptorTable.encode(into: idt, interruptStacks: interruptStacks)
        // SAFETY: the tables live in reserved .bss for the life of the kernel; the GDT's code
        // and data entries match the early GDT's, and every IDT gate points at an X86 stub.
        unsafe GlobalDescriptorTable.load(gdt)
        unsafe InterruptDescriptorTable.load(idt)
        #endif
    }
}

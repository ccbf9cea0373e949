import X86
#if hasFeature(Embedded)
import BootEntry
#endif

/// Where the linker placed the kernel image and the boot stacks (Boot/Entry/link.ld).
public struct KernelLayout: Sendable {
    /// The whole image, from its first byte to the end of the boot stacks.
    public let image: PhysicalRange
    /// Executable code.
    public let text: PhysicalRange
    /// Read-only data.
    public let readOnlyData: PhysicalRange
    /// Data, .bss and stacks.
    public let writableData: PhysicalRange
    /// The boot processor's kernel stack (a guard page lies just below it).
    public let stack: PhysicalRange
    /// The stack for double faults, NMIs and machine checks (a guard page lies below it).
    public let interruptStack: PhysicalRange

    /// The layout of the running image.
    public static var current: KernelLayout {
        #if hasFeature(Embedded)
        func range(_ start: UInt64, _ end: UInt64) -> PhysicalRange { PhysicalRange(start: PhysAddr(start), size: end - start) }
        return KernelLayout(
            image: range(boot_kernel_start(), boot_kernel_end()),
            text: range(boot_text_start(), boot_text_end()),
            readOnlyData: range(boot_rodata_start(), boot_rodata_end()),
            writableData: range(boot_data_start(), boot_kernel_end()),
            stack: range(boot_stack_bottom_address(), boot_stack_top_address()),
            interruptStack: range(boot_interrupt_stack_bottom_address(), boot_interrupt_stack_top_address()))
        #else
        BareMachine.unavailable("the kernel image layout")
        #endif
    }

    /// A layout with the given ranges (tests build their own).
    public init(image: PhysicalRange, text: PhysicalRange, readOnlyData: PhysicalRange, writableData: PhysicalRange,
         stack: PhysicalRange, interruptStack: PhysicalRange) {
        self.image = image
        self.text = text
        self.readOnlyData = readOnlyData
        self.writableData = writableData
        self.stack = stack
        self.interruptStack = interruptStack
    }
}

import Boot
import X86

/// The policy of the kernel's own address space, which Boot's fenced page table builds
/// (``KernelPages/activate(_:memoryEnd:permissions:tableFrames:)``) and checks.
///
/// The result identity-maps physical memory below the end of RAM (and below 4 GiB):
/// - the 4 KiB pages of the kernel image by section: text R-X, read-only data R--, data,
///   .bss and stacks RW- (no-execute), and the guard page below each boot stack not at all;
/// - page 0 not at all, so null dereferences fault;
/// - everything else RW- with no-execute, in 4 KiB pages up to the next 2 MiB boundary after
///   the image and 2 MiB pages above it.
public enum KernelAddressSpace {
    /// The flags of the identity-mapped 4 KiB page at `address`: a page that holds any code
    /// is R-X, else one that holds read-only data is R--, else RW-.
    public static func permissions(of address: UInt64, layout: KernelLayout) -> PageTableFlags {
        func inside(_ range: PhysicalRange) -> Bool { address < range.end.value && address + 4096 > range.start.value }
        if inside(layout.text) { return [] }                       // R-X
        if inside(layout.readOnlyData) { return [.noExecute] }     // R--
        return [.writable, .noExecute]                            // RW-
    }

    /// The guard pages of the boot stacks.
    public static func guardPages(layout: KernelLayout) -> [PhysicalRange] {
        [PhysicalRange(start: PhysAddr(layout.stack.start.value - 4096), size: 4096),
         PhysicalRange(start: PhysAddr(layout.interruptStack.start.value - 4096), size: 4096)]
    }
}

import X86

/// What the kernel's modules are handed at start-up: the boot information and the memory
/// capabilities that only Boot can mint. The composition root passes it, in dependency
/// order, to each linked module's ``KernelModule/start(_:)``, as a Tock board's `main.rs`
/// hands capabilities to its capsules.
public struct KernelResources: Sendable {
    /// What the VMM told the kernel.
    public var boot: BootInfo
    /// Where the image and its boot stacks lie.
    public let layout: KernelLayout
    /// The identity-mapped view of physical memory below 4 GiB (except page 0). Modules that
    /// manage frames or page tables reach physical memory only through it.
    public let physicalMemory: PhysicalMemoryWindow
    /// A range of virtual addresses reserved for memory that is backed on first touch by the
    /// page-fault handler (heap growth, thread stacks, lazily reserved regions). Nothing is
    /// mapped there at boot; touching it without a demand pager is a page-fault panic.
    public let lazyArea: MemoryRegion
    /// Physical ranges no allocator may hand out: page 0, the kernel image, boot structures.
    public var reserved: [PhysicalRange]
    /// The stack the boot processor runs on now; its top 16 bytes are free for a context's
    /// saved stack pointer (Sched turns the boot code into its first thread).
    public let bootStack: MemoryRegion
    /// The local APIC's 4 KiB register page (xAPIC mode), at the physical address
    /// IA32_APIC_BASE names. Whoever uses it must map it (uncached) first if paging is
    /// rebuilt; until then Boot's early identity map covers it.
    public let localAPICWindow: MMIOWindow

    /// Where ``lazyArea`` starts: 16 TiB, far above any identity-mapped RAM.
    public static let lazyAreaBase: UInt64 = 0x0000_1000_0000_0000
    /// How large it is: 1 TiB.
    public static let lazyAreaSize = 1 << 40

    public init(boot: BootInfo, layout: KernelLayout, physicalMemory: PhysicalMemoryWindow, lazyArea: MemoryRegion,
                reserved: [PhysicalRange], bootStack: MemoryRegion, localAPICWindow: MMIOWindow) {
        self.bootStack = bootStack
        self.localAPICWindow = localAPICWindow
        self.boot = boot
        self.layout = layout
        self.physicalMemory = physicalMemory
        self.lazyArea = lazyArea
        self.reserved = reserved
    }
}

extension KernelResources {
    /// A window onto `size` bytes of device registers at physical `address`, or nil when the
    /// range overlaps RAM the memory map reports as usable, ACPI data, or the kernel image —
    /// memory Swift code may be using — or lies at or above 4 GiB (outside the early map).
    /// Device memory cannot alias Swift objects, so the window is safe to hand to a driver;
    /// the driver maps it (uncached) before use when Paging has rebuilt the address space.
    public func deviceWindow(at address: PhysAddr, size: Int) -> MMIOWindow? {
        guard size > 0, address.value + UInt64(size) <= 0x1_0000_0000 else { return nil }
        let range = PhysicalRange(start: address, size: UInt64(size))
        for entry in boot.memoryMap.entries where entry.kind != .reserved {
            if entry.range.overlaps(range) { return nil }
        }
        guard !layout.image.overlaps(range) else { return nil }
        // SAFETY: the range holds no RAM (checked above), so no Swift value lives there; the
        // window only allows aligned accesses inside it.
        return unsafe MMIOWindow(unsafeBase: address.value, size: size)
    }
}

/// A kernel module with a start-up step, run by the composition root once Boot is up and
/// after the modules it depends on.
public protocol KernelModule {
    /// Brings the module up; may add to the resources for modules started later.
    static func start(_ kernel: inout KernelResources)
}

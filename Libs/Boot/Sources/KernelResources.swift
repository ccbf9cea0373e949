import Synchronization
import X86

/// What the kernel's modules are handed at start-up: the boot information and the
/// capabilities that only Boot can mint. The composition root passes it, in dependency
/// order, to each linked module's ``KernelModule/start(_:)``, as a Tock board's `main.rs`
/// hands capabilities to its capsules.
///
/// Guarantees: it is minted once (``Kernel/start()`` runs once) and cannot be copied; its
/// one-owner pieces (the boot processor's running context) are taken out by the module that
/// uses them, so no second module gets them. Applications receive only ``BootInfo``.
public struct KernelResources: ~Copyable, Sendable {
    /// What the VMM told the kernel.
    public private(set) var boot: BootInfo
    /// Where the image and its boot stacks lie.
    public let layout: KernelLayout
    /// The identity-mapped view of physical memory below 4 GiB (except page 0): the fence's
    /// own, never handed out (frames reach their bytes through tokens).
    let window: PhysicalMemoryWindow
    /// A range of virtual addresses reserved for memory that is backed on first touch by the
    /// page-fault handler (heap growth, lazily reserved regions). Nothing is mapped there at
    /// boot; touching it without a demand pager is a page-fault panic.
    public let lazyArea: MemoryRegion
    /// Physical ranges no allocator may hand out: page 0, the kernel image, boot structures.
    public private(set) var reserved: [PhysicalRange]
    /// The pool of kernel stacks (in the lazy address space, after ``lazyArea``).
    public let threadStacks: ThreadStacks
    var bootContext: ExecutionContext?
    /// The physical range reserved for a program in the boot module, identity-mapped by no
    /// one until ``takeProgramPages()`` hands it to the Linux layer (``ProgramReservation``).
    public let programArea: PhysicalRange?
    var programPagesTaken = false
    /// Whether a module's frames were released: from then on no module is read (their bytes
    /// may be a new owner's, and modules may share frames).
    var modulesReleased = false

    /// Where ``lazyArea`` starts: 16 TiB, far above any identity-mapped RAM.
    public static let lazyAreaBase: UInt64 = 0x0000_1000_0000_0000
    /// How large the lazy address space is, the stack pool's slots included: 1 TiB.
    public static let lazyAddressSpaceSize = 1 << 40

    init(boot: BootInfo, layout: KernelLayout, window: PhysicalMemoryWindow, lazyArea: MemoryRegion,
         reserved: [PhysicalRange], threadStacks: ThreadStacks, bootContext: ExecutionContext, programArea: PhysicalRange?) {
        self.programArea = programArea
        self.boot = boot
        self.layout = layout
        self.window = window
        self.lazyArea = lazyArea
        self.reserved = reserved
        self.threadStacks = threadStacks
        self.bootContext = bootContext
    }

    /// Physical memory that holds no usable RAM — the firmware's tables (ACPI) and other
    /// reserved ranges — as a window that withholds every range the memory map calls usable,
    /// the kernel image and the interrupt controllers (local and I/O APICs, whose registers
    /// start and stop processors), so nothing Swift allocates can be reached through it.
    /// Writable device registers may still lie in reserved ranges (PCI ECAM): the window is
    /// for reading firmware tables, and ACPI only reads.
    public var firmwareMemory: PhysicalMemoryWindow {
        let controllers = KernelResources.interruptControllerRange
        var withheld: [(start: UInt64, end: UInt64)] = [(layout.image.start.value, layout.image.end.value),
                                                          (controllers.start.value, controllers.end.value)]
        for entry in boot.memoryMap.entries where entry.kind == .usable {
            withheld.append((entry.range.start.value, entry.range.end.value))
        }
        return window.withholding(withheld)
    }

    /// Adds `range` to the physical ranges no allocator may hand out (ranges are only ever
    /// added, so nothing can make the image or a boot structure allocatable).
    public mutating func reserve(_ range: PhysicalRange) { reserved.append(range) }

    /// Starts the fence's frame table (once; later calls return false): seals the early heap,
    /// whose frames stay its own for good, and marks every other usable frame outside
    /// ``reserved`` free; the sealed range is added to ``reserved`` for the frame allocator.
    public mutating func startFrameTable() -> Bool {
        guard !FrameTable.installed.load(ordering: .acquiring) else { return false }
        var end: UInt64 = 0
        for range in boot.memoryMap.usableRanges(excluding: reserved) + moduleFrames() { end = max(end, min(range.end.value, 0x1_0000_0000)) }
        let count = Int(end / UInt64(FrameTable.frameSize))
        let storage = EarlyHeap.allocate(size: max(count, 1), alignment: 64)
        let chunkTable = EarlyHeap.allocate(size: HeapOwnership.tableBytes, alignment: 64)
        let cache = EarlyHeap.allocate(size: HeapCache.storageBytes, alignment: 64)
        let kept = EarlyHeap.seal()
        // SAFETY: a fresh early-heap block for the heap check's chunk table alone, never freed.
        HeapOwnership.prepare(table: unsafe MemoryRegion(unsafeBase: chunkTable, size: HeapOwnership.tableBytes))
        // SAFETY: as above, for the cache of freed blocks.
        HeapCache.prepare(unsafe MemoryRegion(unsafeBase: cache, size: HeapCache.storageBytes))
        reserved.append(kept)
        // SAFETY: a fresh early-heap block of `count` bytes, which the sealed early heap never
        // frees or hands out again; only the frame table uses it.
        let states = unsafe MemoryRegion(unsafeBase: storage, size: max(count, 1))
        FrameTable.install(window: window, states: states, free: boot.memoryMap.usableRanges(excluding: reserved), bootModules: moduleFrames())
        return true
    }

    /// The usable RAM the boot modules occupy and nothing else does: each module minus every
    /// reserved range that is not a module (page 0, the image, the other boot structures, the
    /// program area, the sealed early heap).
    func moduleFrames() -> [PhysicalRange] {
        let modules = boot.modules.filter { $0.size > 0 }
        let others = reserved.filter { range in !modules.contains(range) }
        var frames: [PhysicalRange] = []
        for module in modules {
            for range in boot.memoryMap.usableRanges(excluding: others) where range.overlaps(module) {
                let start = max(range.start.value, module.start.value), end = min(range.end.value, module.end.value)
                frames.append(PhysicalRange(start: PhysAddr(start), size: end - start))
            }
        }
        return frames
    }

    /// Gives boot module `index`'s whole frames to its reader as one owned run (a frame
    /// allocator adopts them once the module is copied: QEMU's `-initrd` otherwise stays in
    /// RAM for good). Nil when there is no such module, its frames are not one run the frame
    /// table holds for it, or the table is not started. Afterwards ``moduleContents(_:)``
    /// answers nil for every module: modules may share frames, and the frames' bytes become
    /// the run's owner's — Boot never reads them again.
    public mutating func releaseModule(_ index: Int) -> FrameRun? {
        guard index >= 0, index < boot.modules.count else { return nil }
        let module = boot.modules[index]
        let first = module.start.alignedUp(to: UInt64(FrameTable.frameSize)), end = module.end.alignedDown(to: UInt64(FrameTable.frameSize))
        guard first < end, end.value - first.value <= UInt64(Int.max) else { return nil }
        modulesReleased = true
        return FrameTable.takeBootModule(first, count: Int((end.value - first.value) / UInt64(FrameTable.frameSize)))
    }

    /// A copy of boot module `index`'s bytes (QEMU's `-initrd`), or nil when there is no such
    /// module or a module was released. The module lies in a boot structure no allocator hands
    /// out until ``releaseModule(_:)``.
    public func moduleContents(_ index: Int) -> [UInt8]? {
        guard !modulesReleased, index >= 0, index < boot.modules.count, boot.modules[index].size < UInt64(Int.max) else { return nil }
        let module = boot.modules[index]
        guard module.size > 0 else { return [] }
        guard let region = window.region(at: module.start, size: Int(module.size)) else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(module.size))
        region.copy(at: 0, count: Int(module.size), into: &bytes, at: 0)
        return bytes
    }

    /// The context of the boot processor's running code (on the boot stack), once: the
    /// scheduler makes it its first thread. Nil for every later caller.
    public mutating func takeBootContext() -> ExecutionContext? {
        bootContext.take()
    }
}

extension KernelResources {
    /// The maker of device register windows for drivers.
    public var deviceWindows: DeviceWindows { DeviceWindows(memoryMap: boot.memoryMap, image: layout.image) }
}

/// Makes windows onto device registers for drivers, refusing ranges where a window could
/// alias Swift memory or reach the interrupt controllers.
///
/// Guarantees: a window is made only for a range below 4 GiB that lies inside a memory BAR of
/// a PCI function (``X86/PCIConfigurationSpace/memoryBARs``), overlaps no RAM the memory map
/// reports (usable, ACPI, anything not reserved), not the kernel image, and not the
/// interrupt controllers' range (``KernelResources/interruptControllerRange``: I/O APICs,
/// HPET, local APIC and its MSI window, where raw writes could send INIT or NMI). Device
/// memory cannot alias Swift objects, so the window is safe to hand to a driver; what the
/// driver writes into a bus-master device's registers (DMA addresses) rests on trusted
/// hardware without an IOMMU, as ``hermit audit`` says.
public struct DeviceWindows: Sendable {
    let memoryMap: MemoryMap
    let image: PhysicalRange

    /// Whether `range` lies below 4 GiB and holds no RAM the memory map reports and no part of
    /// the kernel image.
    func holdsNoRAM(_ range: PhysicalRange) -> Bool {
        guard range.size > 0, range.end.value <= 0x1_0000_0000 else { return false }
        for entry in memoryMap.entries where entry.kind != .reserved {
            if entry.range.overlaps(range) { return false }
        }
        return !image.overlaps(range)
    }

    /// The queue-address registers of virtio function `function` (`map` maps the page
    /// uncached first), or nil when it is no virtio device or they cannot be reached.
    public func virtioQueueAddresses(of function: PCIConfigurationSpace.Function, map: (PhysicalRange) -> Bool) -> VirtioQueueAddresses? {
        guard let address = PCIConfigurationSpace.virtioQueueAddressRegisters(of: function) else { return nil }
        let range = PhysicalRange(start: PhysAddr(address), size: 24)
        guard address % 8 == 0, isDecodedDeviceMemory(range), map(range) else { return nil }
        // SAFETY: the fence found these registers in the function's own virtio capability; they
        // are device memory the function decodes, written only with DMA memory's addresses.
        return VirtioQueueAddresses(window: unsafe MMIOWindow(unsafeBase: address, size: 24))
    }

    /// The MSI-X table of `function` (`map` maps its pages uncached first and says whether it
    /// could), or nil when it has none or it cannot be reached.
    public func messageInterruptTable(of function: PCIConfigurationSpace.Function, map: (PhysicalRange) -> Bool) -> MessageInterruptTable? {
        guard let table = PCIConfigurationSpace.messageInterruptTable(of: function) else { return nil }
        let range = PhysicalRange(start: PhysAddr(table.address), size: UInt64(table.entries * 16))
        guard isDecodedDeviceMemory(range), map(range) else { return nil }
        // SAFETY: the fence read the table's place from the function's own capability and BAR;
        // it lies in device memory the function decodes, and the typed table writes only
        // messages to local APICs into it.
        return unsafe MessageInterruptTable(window: MMIOWindow(unsafeBase: table.address, size: table.entries * 16),
                                            entries: table.entries, function: function, capability: table.capability)
    }

    /// Whether `range` holds no RAM and no interrupt controller and lies inside a memory BAR
    /// of a PCI function: only registers a function decodes, not PCI configuration space
    /// itself (ECAM), firmware or other devices the fence does not know.
    func isDecodedDeviceMemory(_ range: PhysicalRange) -> Bool {
        guard holdsNoRAM(range), !KernelResources.interruptControllerRange.overlaps(range) else { return false }
        return PCIConfigurationSpace.memoryBARs.contains { range.start.value >= $0.start && range.end.value <= $0.end }
    }

    /// A window onto `size` bytes of device registers at physical `address`, or nil.
    public func window(at address: PhysAddr, size: Int) -> MMIOWindow? {
        guard size > 0 else { return nil }
        let range = PhysicalRange(start: address, size: UInt64(size))
        guard isDecodedDeviceMemory(range) else { return nil }
        // Never the MSI-X tables or pending bits: only the typed table writes messages.
        for structure in PCIConfigurationSpace.messageInterruptStructures where address.value < structure.end && range.end.value > structure.start {
            return nil
        }
        // SAFETY: the range holds no RAM and no interrupt controller (checked above), so no
        // Swift value lives there; the window only allows aligned accesses inside it.
        return unsafe MMIOWindow(unsafeBase: address.value, size: size)
    }
}

extension KernelResources {
    /// The physical range where I/O APICs (0xFEC0_0000), the HPET and the processors' local
    /// APICs and MSI window (0xFEE0_0000) live: raw windows there could send INIT or NMI to
    /// processors, so drivers never get one; I/O APICs come typed from ``ioAPIC(at:)``.
    public static let interruptControllerRange = PhysicalRange(start: PhysAddr(0xFEC0_0000), size: 0x30_0000)

    /// The I/O APIC whose register page is at `address` (from the ACPI MADT), or nil unless
    /// the page lies where I/O APICs live (0xFEC0_0000 ... 0xFECF_F000, 4 KiB-aligned). The
    /// caller maps the page uncached first when Paging has rebuilt the address space.
    public func ioAPIC(at address: PhysAddr) -> IOAPIC? {
        guard address.isAligned(to: 4096), address.value >= 0xFEC0_0000, address.value < 0xFED0_0000 else { return nil }
        // SAFETY: the page is in the I/O APIC range, which holds no RAM; IOAPIC only selects and
        // writes redirection registers with fixed delivery.
        return unsafe IOAPIC(window: MMIOWindow(unsafeBase: address.value, size: 4096))
    }
}

/// A kernel module with a start-up step, run by the composition root once Boot is up and
/// after the modules it depends on.
public protocol KernelModule {
    /// Brings the module up; may take from the resources and add to them for modules started later.
    static func start(_ kernel: inout KernelResources)
}

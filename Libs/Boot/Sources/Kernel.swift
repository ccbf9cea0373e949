import Synchronization
import X86
#if hasFeature(Embedded)
import BootEntry
#endif

/// An application linked into an image: the composition root calls its `main` once the
/// kernel is up, and its result becomes the virtual machine's exit status.
public protocol Application {
    /// Runs the application; returns its exit status (0 = success, 1...100 = failure).
    static func main(boot: BootInfo) -> Int32
}

/// The kernel's life cycle as the generated composition root sees it.
public enum Kernel {
    /// Brings the boot processor up: console, descriptor tables and exception handling,
    /// heap, boot information. Panics with a clear message if the VMM's start info is
    /// unusable.
    public static func start() -> KernelResources {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { Panic.halt("Kernel.start runs once") }
        #if hasFeature(Embedded)
        let mainTSC = TimeStampCounter.read()
        // The heap starts in a small arena inside .bss (boot_early_heap) while the memory map
        // is parsed, then moves to the largest free RAM range.
        EarlyHeap.start(arena: PhysicalRange(start: PhysAddr(boot_early_heap_address()), size: UInt64(BOOT_EARLY_HEAP_SIZE)))
        Console.initialize()
        LegacyPIC.maskAll()
        // SAFETY: the boot processor is index 0; application processors get 1, 2, ...
        unsafe Processor.setIndex(0)
        let layout = KernelLayout.current
        DescriptorTables.install(layout: layout)
        TLBShootdown.install()

        // SAFETY: the identity map built by the entry code covers 0..4 GiB; the window starts
        // at 16 bytes so that no region ever has address 0 (firmware such as QEMU's PVH option
        // ROM under SeaBIOS puts the memory map in the first page). Reads through it are bounds-checked
        // against this window only; Boot uses it for the VMM's structures alone.
        let lowMemory = unsafe MemoryRegion(unsafeBase: 0x10, size: 0xFFFF_FFF0)
        // SAFETY: the identity map makes virtual address x physical address x.
        let window = unsafe PhysicalMemoryWindow(region: lowMemory, physicalBase: PhysAddr(0x10))

        registerPanicContext(layout: layout)

        var info: BootInfo
        do {
            info = try BootInfo.parse(startInfoAt: PhysAddr(boot_start_info_address()), in: window, decodingCommandLine: false)
        } catch {
            switch error {
            case .startInfoOutsideMemory: Panic.halt("PVH start info: the structure lies outside the first 4 GiB")
            case .badMagic(let magic): Panic.halt("PVH start info: bad magic ", decimal: UInt64(magic))
            case .noMemoryMap: Panic.halt("PVH start info: version 0 carries no memory map (the VMM or its firmware predates PVH version 1)")
            case .tooManyMemoryMapEntries(let count): Panic.halt("PVH start info: too many memory map entries: ", decimal: UInt64(count))
            case .structureOutsideMemory: Panic.halt("PVH start info: the memory map, command line, module list or a module lies outside the first 4 GiB")
            case .tooManyModules(let count): Panic.halt("PVH start info: too many boot modules: ", decimal: UInt64(count))
            }
        }
        info.entryTSC = boot_entry_tsc_value()
        info.mainTSC = mainTSC
        info.kernelImage = layout.image
        let heapLimit = PhysAddr(0x1_0000_0000)  // the early identity map's end
        let programArea = Kernel.programArea(info: info, layout: layout, window: window)
        guard let heap = info.memoryMap.largestUsableRange(
            excluding: [PhysicalRange(start: PhysAddr(0), size: 0x1000), layout.image] + info.bootStructures + (programArea.map { [$0] } ?? []),
            below: heapLimit) else {
            Panic.halt("no usable RAM for the kernel heap outside the kernel image")
        }
        info.heap = heap
        EarlyHeap.start(arena: heap)
        info.decodeCommandLine(in: window)
        // The lazy address space: the lazy area for modules, then the stack pool's slots.
        let stacks = ThreadStacks(base: KernelResources.lazyAreaBase + UInt64(KernelResources.lazyAddressSpaceSize)
                                        - UInt64(ThreadStacks.slotCount * ThreadStacks.slotBytes))
        // SAFETY: nothing is mapped in the lazy area at boot, so a region over it cannot alias
        // any memory; an access either faults (a panic) or is backed by a fresh zeroed frame
        // that the demand pager maps for exactly that address. It ends where the stack pool's
        // slots begin, so it never covers a stack.
        let lazyArea = unsafe MemoryRegion(unsafeBase: KernelResources.lazyAreaBase,
                                           size: Int(stacks.arena.base - KernelResources.lazyAreaBase))
        // SAFETY: the boot stack is part of the image, mapped for the kernel's life; the code
        // running now is on it, and no region over it is handed out (the panic reporter's is
        // read-only use inside the fence).
        let bootContext = unsafe ExecutionContext(runningOn: ThreadStack(unsafeBase: layout.stack.start.value, size: Int(layout.stack.size)))
        return KernelResources(boot: info, layout: layout, window: window, lazyArea: lazyArea,
                               reserved: [PhysicalRange(start: PhysAddr(0), size: 0x1000), layout.image,
                                          PhysicalRange(start: PhysAddr(UInt64(AP_TRAMPOLINE_ADDRESS)), size: 0x1000)] + info.bootStructures
                                          + (programArea.map { [$0] } ?? []),
                               threadStacks: stacks, bootContext: bootContext, programArea: programArea)
        #else
        BareMachine.unavailable("Kernel.start")
        #endif
    }

    /// Ends the kernel: QEMU exits with the application's status; on a VMM without the
    /// debug-exit device the processor halts.
    public static func exit(status: Int32) -> Never {
        DebugExit.exit(status: status)
    }

    static let started = Atomic<Bool>(false)

    /// Runs `application` on the started kernel and exits with its status.
    public static func run<App: Application>(_ application: App.Type, _ kernel: consuming KernelResources) -> Never {
        exit(status: App.main(boot: kernel.boot))
    }

    /// The physical range a program in the first boot module will occupy (its pages are the
    /// identity-mapped frames from ``ProgramReservation/base`` up), when the module holds one
    /// and the range is usable RAM clear of the image and the boot structures (the module
    /// itself included); nil otherwise, and the Linux layer then says the program does not fit.
    static func programArea(info: BootInfo, layout: KernelLayout, window: PhysicalMemoryWindow) -> PhysicalRange? {
        guard let module = info.modules.first, module.size > 0, module.size < UInt64(Int.max),
              let end = ProgramReservation.end(moduleSize: Int(module.size), byte: { offset in
                  window.region(at: PhysAddr(module.start.value + UInt64(offset)), size: 1)?.load(as: UInt8.self, at: 0)
              }) else { return nil }
        let area = PhysicalRange(start: PhysAddr(ProgramReservation.base), size: end - ProgramReservation.base)
        guard area.start.value >= layout.image.end.alignedUp(to: 0x20_0000).value else { return nil }
        let clear = info.memoryMap.usableRanges(excluding: [layout.image] + info.bootStructures)
        guard clear.contains(where: { $0.start.value <= area.start.value && area.end.value <= $0.end.value }) else { return nil }
        return area
    }

    #if hasFeature(Embedded)
    static func registerPanicContext(layout: KernelLayout) {
        // SAFETY: the boot stacks and kernel text are part of the loaded image, mapped for the
        // kernel's whole life; the panic reporter only reads them.
        let stack = unsafe MemoryRegion(unsafeBase: layout.stack.start.value, size: Int(layout.stack.size))
        let interruptStack = unsafe MemoryRegion(unsafeBase: layout.interruptStack.start.value, size: Int(layout.interruptStack.size))
        let text = unsafe MemoryRegion(unsafeBase: layout.text.start.value, size: Int(layout.text.size))
        Panic.register(stack: stack)
        Panic.register(stack: interruptStack)
        Panic.register(text: text)
        Panic.register(guardPage: layout.stack.start.value - 4096)
        Panic.register(guardPage: layout.interruptStack.start.value - 4096)
    }
    #endif
}

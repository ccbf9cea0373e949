import Synchronization
import X86

/// The kernel's page table, which only the fence writes: the safe API over it.
///
/// Guarantees: the table's own frames are page-table frames in the ``FrameTable`` (no token
/// covers them); ``activate(_:memoryEnd:permissions:tableFrames:)`` builds the identity map
/// with the policy's permissions, refuses any page both writable and executable, checks the
/// kernel's sections and loads CR3, once. Afterwards a mapping can only be added in the lazy
/// area handed to modules or the stack slots (never over the identity map, where the heap and
/// the image live) and removed only in that lazy area (never from a stack), only
/// consuming an owned ``Frame``, and only without execute permission; a frame comes back out
/// of a mapping only through a ``PendingFrame``, after its translation has been flushed on
/// every processor. Device pages are mapped uncached at their own address only outside RAM
/// and the kernel image. Translations can be read by anyone.
public enum KernelPages {
    /// Where the page table's frames come from and go back to (Alloc's policy).
    public protocol TableFrames: AnyObject, Sendable {
        /// A frame for a new table, or nil when none is left.
        func take() -> Frame?
        /// A frame of a table that emptied.
        func give(_ frame: consuming Frame)
    }

    /// Page-table frames drawn from a ``TableFrames`` source and recorded in the frame table.
    struct TokenFrames: FrameAllocator, Sendable {
        let source: any TableFrames
        mutating func allocate() -> PhysAddr? {
            guard let frame = source.take() else { return nil }
            let address = frame.address
            FrameTable.retype(frame, to: .pageTable)
            return address
        }
        mutating func allocateContiguous(count: Int, alignment: UInt64) -> PhysAddr? { nil }
        /// An emptied table stays a page-table frame until the unmap's TLB shootdown: other
        /// processors' paging-structure caches may still point at it (``PendingFrame``).
        mutating func free(_ frame: PhysAddr) throws(FrameError) {
            KernelPages.retiredTables.withLock { $0.append(frame) }
        }
        var freeFrames: Int { FrameTable.freeCount }
        var totalFrames: Int { 0 }
    }

    struct State: Sendable {
        var table: PageTable<TokenFrames>? = nil
        /// The lazy area modules were given: pages may be mapped and unmapped there.
        var mappable: (start: UInt64, end: UInt64) = (0, 0)
        /// The stack slots: pages may be backed there, never taken away (stacks hold return
        /// addresses and saved registers).
        var stacks: (start: UInt64, end: UInt64) = (0, 0)

        var stackSlotBytes: UInt64 = 1
        /// The program area (``KernelResources/programArea``): left out of the identity map,
        /// its frames reach the page table only as the program's user pages.
        var program: (start: UInt64, end: UInt64) = (0, 0)

        /// Whether a page may be backed here: the modules' lazy area, or a stack page (never a
        /// slot's guard page, the first of each slot, which must stay unmapped so an overflow
        /// faults instead of running into the next stack).
        func mayMap(_ page: VirtAddr) -> Bool {
            if page.value >= mappable.start && page.value < mappable.end { return true }
            return page.value >= stacks.start && page.value < stacks.end && (page.value - stacks.start) % stackSlotBytes >= 4096
        }
        var devices: DeviceWindows? = nil
    }

    static let state = InterruptSafeLock(State())
    /// Tables emptied by the unmap in progress (taken by its ``PendingFrame``).
    static let retiredTables = InterruptSafeLock<[PhysAddr]>([])
    static let tableSource = InterruptSafeLock<(any TableFrames)?>(nil)
    static let activated = Atomic<Bool>(false)

    /// Whether the kernel runs on the fence's page table.
    public static var isActive: Bool { activated.load(ordering: .acquiring) }

    /// Builds the kernel's address space and switches to it (once; false afterwards, or when
    /// frames for the tables run out, or `memoryEnd` lies above 4 GiB, where the identity map
    /// would reach the lazy area): identity maps from 4 KiB to `memoryEnd` — 4 KiB pages
    /// with `permissions(page)` up to the 2 MiB boundary after the image, except the boot
    /// stacks' guard pages and page 0, and RW- 2 MiB pages above — then checks the kernel's
    /// sections are mapped as the running code needs and loads CR3. A policy that asks for a
    /// writable and executable page is refused.
    public static func activate(_ kernel: borrowing KernelResources, memoryEnd: PhysAddr,
                                permissions: (UInt64) -> PageTableFlags, tableFrames: any TableFrames) -> Bool {
        guard !activated.load(ordering: .acquiring), memoryEnd.value <= 0x1_0000_0000 else { return false }
        let layout = kernel.layout
        guard var table = PageTable(memory: kernel.window, frames: TokenFrames(source: tableFrames)) else { return false }
        tableSource.withLock { $0 = tableFrames }
        let program = kernel.programArea.map { ($0.start.value, $0.end.value) } ?? (0, 0)
        do throws(MappingError) {
            try buildIdentityMap(in: &table, layout: layout, memoryEnd: memoryEnd, permissions: permissions, leavingOut: program)
        } catch {
            return false
        }
        let lazy = (kernel.lazyArea.base, kernel.lazyArea.end)
        let arena = kernel.threadStacks.arena
        let stacks = (arena.base, arena.base + UInt64(arena.size))
        let devices = kernel.deviceWindows
        state.withLock(moving: table) { state, table in
            state.table = table
            state.mappable = lazy
            state.stacks = stacks
            state.stackSlotBytes = UInt64(arena.slotBytes)
            state.devices = devices
            state.program = program
        }
        UserAddressSpace.programStart.store(program.0, ordering: .releasing)
        UserAddressSpace.programEnd.store(program.1, ordering: .releasing)
        guard !activated.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        Kernel.activate(TableView(), layout: layout)
        return true
    }

    /// The identity map of the kernel's address space, built in `table`.
    static func buildIdentityMap<F>(in table: inout PageTable<F>, layout: KernelLayout, memoryEnd: PhysAddr,
                                    permissions: (UInt64) -> PageTableFlags,
                                    leavingOut program: (start: UInt64, end: UInt64) = (0, 0)) throws(MappingError) {
        let smallEnd = layout.image.end.alignedUp(to: PageSize.size2MiB.bytes)
        let guards = [layout.stack.start.value - 4096, layout.interruptStack.start.value - 4096]
        var address: UInt64 = 0x1000
        while address < smallEnd.value {
            defer { address += 4096 }
            if guards.contains(address) { continue }
            var flags = permissions(address)
            if flags.contains(.writable) && !flags.contains(.noExecute) { flags.insert(.noExecute) }   // W^X
            try table.map(VirtAddr(address), to: PhysAddr(address), size: .size4KiB, flags: flags.subtracting(.user)).ignore()
        }
        while address < memoryEnd.value {
            // The program area is 2 MiB-aligned and starts above the small pages.
            if address < program.start || address >= program.end {
                try table.map(VirtAddr(address), to: PhysAddr(address), size: .size2MiB, flags: [.writable, .noExecute]).ignore()
            }
            address += PageSize.size2MiB.bytes
        }
    }

    /// The fence's table as Boot's address-space switch checks it.
    struct TableView: KernelMappings {
        var rootTable: PhysAddr { KernelPages.state.withLock { $0.table?.root ?? PhysAddr(0) } }
        func translate(_ address: UInt64) -> (physical: PhysAddr, writable: Bool, executable: Bool)? {
            guard let virtual = VirtAddr(checked: address), let translation = KernelPages.translate(virtual) else { return nil }
            return (translation.physical, translation.flags.contains(.writable), !translation.flags.contains(.noExecute))
        }
    }

    /// What ``map(_:frame:writable:)`` did.
    public enum MapOutcome: ~Copyable {
        /// The frame is mapped (the mapping owns it); flush before relying on the old absence.
        case mapped(TLBFlush)
        /// Nothing changed; the frame comes back.
        case refused(MappingError, Frame)
    }

    /// Maps `frame` (consumed: the mapping owns it) at the 4 KiB `page`, readable, writable if
    /// asked, never executable. Only pages of the lazy area modules were given, and of the
    /// stack slots (backing a stack page on first touch); an existing mapping is never replaced.
    public static func map(_ page: VirtAddr, frame: consuming Frame, writable: Bool) -> MapOutcome {
        let address = frame.address
        let flags: PageTableFlags = writable ? [.writable, .noExecute] : [.noExecute]
        let result = state.withLock { state -> Result<TLBFlush, MappingError> in
            guard state.table != nil else { return .failure(.notMapped(page)) }
            guard state.mayMap(page) else { return .failure(.notMapped(page)) }
            do throws(MappingError) {
                return .success(try state.table!.map(page, to: address, size: .size4KiB, flags: flags))
            } catch {
                return .failure(error)
            }
        }
        switch consume result {
        case .success(let flush):
            FrameTable.retype(frame, to: .mapped)
            return .mapped(flush)
        case .failure(let error):
            return .refused(error, frame)
        }
    }

    /// Backs `page` with the free frame at `address`, zeroed, in one step (the demand pager's
    /// fast path: the frame goes from free to mapped without a token in between). The same
    /// rules as ``map(_:frame:writable:)``; false, changing nothing, when the frame is not free
    /// or the page may not be mapped.
    public static func backZeroed(_ page: VirtAddr, withFreeFrameAt address: PhysAddr, writable: Bool) -> Bool {
        guard FrameTable.transition(address, from: .free, to: .mapped) else { return false }
        FrameTable.memory(at: address, size: FrameTable.frameSize).fill(0, count: FrameTable.frameSize)
        let flags: PageTableFlags = writable ? [.writable, .noExecute] : [.noExecute]
        let mapped = state.withLock { state -> Bool in
            guard state.table != nil, state.mayMap(page) else { return false }
            do throws(MappingError) {
                try state.table!.map(page, to: address, size: .size4KiB, flags: flags).flush()
                return true
            } catch {
                return false
            }
        }
        if !mapped { _ = FrameTable.transition(address, from: .mapped, to: .free) }
        return mapped
    }

    /// Removes the mapping of the lazy-area `page`; its frame comes back once flushed
    /// everywhere. Nil when nothing of a module's lazy area is mapped there.
    public static func unmap(_ page: VirtAddr) -> PendingFrame? {
        let unmapped = state.withLock { state -> (PhysAddr, [PhysAddr])? in
            guard state.table != nil, page.value >= state.mappable.start, page.value < state.mappable.end else { return nil }
            guard let translation = state.table!.translate(page), translation.size == .size4KiB else { return nil }
            do throws(MappingError) {
                let result = try state.table!.unmap(page)
                let frame = result.frame
                result.flush.flush()
                return (frame, retiredTables.exchange(with: []))
            } catch {
                return nil
            }
        }
        guard let unmapped else { return nil }
        return PendingFrame(address: unmapped.0, page: VirtAddr(page.value & ~0xFFF), tables: unmapped.1)
    }

    /// Maps the device registers in `range` uncached at their own addresses (pages mapped
    /// already are left as they are); false when the range holds RAM or the kernel image, or
    /// cannot be mapped. The interrupt controllers' pages may be mapped (no window over them
    /// leaves the fence).
    public static func mapDevice(_ range: PhysicalRange) -> Bool {
        state.withLock { state in
            guard state.table != nil, let devices = state.devices, devices.holdsNoRAM(range) else { return false }
            var page = range.start.value & ~0xFFF
            while page < range.end.value {
                if state.table!.translate(VirtAddr(page)) == nil {
                    do throws(MappingError) {
                        try state.table!.map(VirtAddr(page), to: PhysAddr(page), size: .size4KiB,
                                             flags: [.writable, .noExecute, .cacheDisabled, .writeThrough]).flush()
                    } catch {
                        return false
                    }
                }
                page += 4096
            }
            return true
        }
    }

    /// Where `address` leads in the kernel's address space.
    public static func translate(_ address: VirtAddr) -> Translation? {
        state.withLock { $0.table?.translate(address) }
    }
}

/// A frame whose mapping was removed, owed a TLB flush on every processor before anyone may
/// use it again.
///
/// Guarantees: the frame comes back (``flush()``) only after its page's translation has been
/// invalidated here and on every other running processor, which acknowledges it; until
/// then no token for it exists.
public struct PendingFrame: ~Copyable, Sendable {
    let address: PhysAddr
    /// The page whose translation is stale.
    public let page: VirtAddr
    /// Page tables the unmap emptied: they go back to the table source after the flush too.
    let tables: [PhysAddr]

    init(address: PhysAddr, page: VirtAddr, tables: [PhysAddr] = []) {
        self.address = address
        self.page = page
        self.tables = tables
    }

    /// Flushes the page everywhere and hands the frame back (and the emptied tables to the
    /// page table's frame source). Call with interrupts enabled and no lock held when other
    /// processors run: they must take the flush interrupt. Dropping a pending frame leaks it.
    public consuming func flush() -> Frame {
        TLBShootdown.invalidate(page)
        let tables = self.tables
        if !tables.isEmpty, let source = KernelPages.tableSource.withLock({ $0 }) {
            for table in tables {
                if let token = FrameTable.reclaim(table, from: .pageTable) { source.give(token) }
            }
        }
        guard let frame = FrameTable.reclaim(address, from: .mapped) else { Panic.halt("paging: an unmapped frame was not a mapped one") }
        return frame
    }
}

import Synchronization
import X86

/// The program's pages: the only memory ring 3 can reach, and the kernel's checked way to
/// copy into and out of it.
///
/// Guarantees (why the safe API is sound): a user page is only ever one of two kinds of
/// frame — a frame of the program area (reserved at boot for the program alone, left out of
/// the identity map, so no Swift object or device lives there), or a frame taken free from
/// the frame table and typed `mapped`, so no token, heap block or page table covers it.
/// Pages are mapped only in the program area or in the user area (``areaStart``..<
/// ``areaEnd``, far from every kernel address), never over an existing mapping; a frame
/// leaves a mapping only through a ``PendingFrame``, after the TLB flush on every
/// processor. Copies check, under the page table's lock, that every page they touch is
/// present and user-accessible (and writable, to write), so an unmap cannot race with a copy
/// and a copy can never reach kernel memory; a page not yet backed is reported, never
/// faulted on. What a program writes to its own pages is only bytes: `[UInt8]` has no invalid
/// values.
public enum UserAddressSpace {
    /// Where the user area for stacks and anonymous mappings starts (32 TiB).
    public static let areaStart: UInt64 = 0x0000_2000_0000_0000
    /// Where it ends: one page below the lower half's end, which stays unmapped so that no
    /// instruction can end at the last canonical address.
    public static let areaEnd: UInt64 = 0x0000_7FFF_FFFF_F000

    /// What the program may do with a page.
    public struct Protection: OptionSet, Sendable, Hashable {
        /// The bits: read 1, write 2, execute 4.
        public let rawValue: UInt8
        /// The protection with these bits (any bits: only these three mean anything).
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The program may read the page (any non-empty protection implies it on x86).
        public static let read = Protection(rawValue: 1)
        /// The program may write the page.
        public static let write = Protection(rawValue: 2)
        /// The program may execute the page.
        public static let execute = Protection(rawValue: 4)

        /// The leaf flags: user-accessible unless the protection is empty (then the page keeps
        /// its frame but ring 3 cannot touch it).
        var flags: PageTableFlags {
            var flags: PageTableFlags = isEmpty ? [] : [.user]
            if contains(.write) { flags.insert(.writable) }
            if !contains(.execute) { flags.insert(.noExecute) }
            return flags
        }
    }

    /// What a copy found.
    public enum Access: Equatable, Sendable {
        /// Every byte was copied.
        case done
        /// The page at this address is not backed yet (the caller may back it and retry).
        case notPresent(UInt64)
        /// A page is not the program's, or not accessible that way.
        case fault
    }

    /// Whether `page` may hold a user page.
    static func mayMapUser(_ page: UInt64, _ state: KernelPages.State) -> Bool {
        (page >= areaStart && page < areaEnd) || (page >= state.program.start && page < state.program.end)
    }

    static func isProgramArea(_ page: UInt64, _ state: KernelPages.State) -> Bool {
        page >= state.program.start && page < state.program.end
    }

    /// The program area's bounds, set once when the page table is activated: read without a
    /// lock, since the page-fault path asks while the page table's lock may be held.
    static let programStart = Atomic<UInt64>(0)
    static let programEnd = Atomic<UInt64>(0)

    /// The program area's range (empty when the boot module held no program).
    public static var programArea: Range<UInt64> {
        let start = programStart.load(ordering: .acquiring), end = programEnd.load(ordering: .acquiring)
        return start..<max(start, end)
    }

    /// Backs the user page `page` with zeroed memory with `protection`: in the program area
    /// its own frame, in the user area the free frame at `freeFrame` (from the frame
    /// allocator). False, changing nothing, when the page may not hold a user page, is mapped
    /// already, or the frame is not free.
    public static func back(_ page: VirtAddr, protection: Protection, freeFrame: PhysAddr?) -> Bool {
        let address = page.value & ~0xFFF
        let program = KernelPages.state.withLock { isProgramArea(address, $0) }
        let frame: PhysAddr
        if program {
            frame = PhysAddr(address)
        } else {
            guard let freeFrame, FrameTable.transition(freeFrame, from: .free, to: .mapped) else { return false }
            FrameTable.memory(at: freeFrame, size: FrameTable.frameSize).fill(0, count: FrameTable.frameSize)
            frame = freeFrame
        }
        let mapped = KernelPages.state.withLock { state -> Bool in
            guard state.table != nil, mayMapUser(address, state) else { return false }
            do throws(MappingError) {
                if program {
                    // Writable and kernel-only first, to zero it through its own address.
                    try state.table!.map(VirtAddr(address), to: frame, size: .size4KiB, flags: [.writable, .noExecute]).flush()
                    FrameTable.memory(at: frame, size: FrameTable.frameSize).fill(0, count: FrameTable.frameSize)
                    try state.table!.setFlags(VirtAddr(address), protection.flags)
                    Processor.invalidatePage(VirtAddr(address))
                } else {
                    try state.table!.map(VirtAddr(address), to: frame, size: .size4KiB, flags: protection.flags).flush()
                }
                return true
            } catch {
                return false
            }
        }
        if !mapped && !program { _ = FrameTable.transition(frame, from: .mapped, to: .free) }
        return mapped
    }

    /// Changes a backed user page's protection; false when it is not one.
    public static func protect(_ page: VirtAddr, _ protection: Protection) -> Bool {
        let address = page.value & ~0xFFF
        let changed = KernelPages.state.withLock { state -> Bool in
            guard state.table != nil, mayMapUser(address, state) else { return false }
            do throws(MappingError) {
                try state.table!.setFlags(VirtAddr(address), protection.flags)
                return true
            } catch {
                return false
            }
        }
        if changed { TLBShootdown.invalidate(VirtAddr(address)) }
        return changed
    }

    /// What ``release(_:)`` hands back.
    public enum Release: ~Copyable {
        /// Nothing was mapped there.
        case nothing
        /// A program-area page: unmapped and flushed; its frame stays the program's.
        case programPage
        /// A user-area frame, owed its flush.
        case frame(PendingFrame)
    }

    /// Unmaps the user page `page`.
    public static func release(_ page: VirtAddr) -> Release {
        let address = page.value & ~0xFFF
        let result = KernelPages.state.withLock { state -> (PhysAddr, Bool, [PhysAddr])? in
            guard state.table != nil, mayMapUser(address, state) else { return nil }
            guard let translation = state.table!.translate(VirtAddr(address)), translation.size == .size4KiB else { return nil }
            do throws(MappingError) {
                let unmapping = try state.table!.unmap(VirtAddr(address))
                unmapping.flush.flush()
                return (unmapping.frame, isProgramArea(address, state), KernelPages.retiredTables.exchange(with: []))
            } catch {
                return nil
            }
        }
        guard let result else { return .nothing }
        if result.1 {
            TLBShootdown.invalidate(VirtAddr(address))
            return .programPage
        }
        return .frame(PendingFrame(address: result.0, page: VirtAddr(address), tables: result.2))
    }

    /// Copies `count` bytes from the program's memory at `address` into `bytes`.
    public static func read(_ address: UInt64, count: Int, into bytes: inout [UInt8]) -> Access {
        guard count > 0 else { bytes = []; return .done }
        var copied = 0
        return access(address, count: count, writing: false) { region, offset, done in
            region.copy(at: offset, count: done, into: &bytes, at: copied)
            copied += done
        } prepare: { if bytes.count != count { bytes = [UInt8](repeating: 0, count: count) } }
    }

    /// Copies `bytes` into the program's memory at `address`: all of them, or none when a page
    /// is not the program's or not writable.
    public static func write(_ address: UInt64, _ bytes: [UInt8]) -> Access {
        write(address, from: bytes, offset: 0, count: bytes.count)
    }

    /// Writes `count` bytes of `bytes` from `offset` at `address`, as ``write(_:_:)`` does
    /// (without first copying them out into an array of their own). A range outside `bytes`
    /// is ``Access/fault`` and writes nothing.
    public static func write(_ address: UInt64, from bytes: [UInt8], offset start: Int, count: Int) -> Access {
        guard start >= 0, count >= 0, start <= bytes.count, count <= bytes.count - start else { return .fault }
        guard count > 0 else { return .done }
        var copied = start
        return access(address, count: count, writing: true) { region, offset, done in
            region.copy(from: bytes, arrayOffset: copied, count: done, to: offset)
            copied += done
        } prepare: {}
    }

    /// Atomically replaces the program's 32-bit word at `address` with `desired` if it holds
    /// `expected` (the kernel's side of a futex word other threads change with their own
    /// atomic instructions): `.done` with the word found (replaced exactly when it equals
    /// `expected`), or, changing nothing, `.fault` (no aligned word of a writable program page)
    /// or `.notPresent` (back the page, then retry). The same checks as ``write(_:_:)``,
    /// through the same path.
    public static func compareExchange32(_ address: UInt64, expected: UInt32, desired: UInt32) -> (access: Access, found: UInt32) {
        guard address & 3 == 0 else { return (.fault, 0) }
        var found: UInt32 = 0
        let access = access(address, count: 4, writing: true, copy: { region, offset, _ in
            found = region.compareExchange32(at: offset, expected: expected, desired: desired)
        }, prepare: {})
        return (access, found)
    }

    /// Checks every page of `[address, address + count)` under the lock, then copies page by
    /// page with `copy(region, offsetInRegion, byteCount)` while still holding it. Nothing
    /// allocates under the lock (`prepare` runs before it): a heap that grows faults, and the
    /// fault path takes the same lock.
    static func access(_ address: UInt64, count: Int, writing: Bool,
                       copy: (MemoryRegion, Int, Int) -> Void, prepare: () -> Void) -> Access {
        let (end, overflow) = address.addingReportingOverflow(UInt64(count))
        guard !overflow, end <= areaEnd else { return .fault }
        // Allocated before the lock (the heap may grow, and its page faults take that lock);
        // the first page's frame needs no list, so a buffer within one page allocates nothing.
        let firstPage = address & ~0xFFF
        let pages = Int((end - firstPage + 4095) / 4096)
        var later: [PhysAddr] = []
        if pages > 1 { later.reserveCapacity(pages - 1) }
        prepare()
        return KernelPages.state.withLock { state -> Access in
            guard state.table != nil else { return .fault }
            var first: PhysAddr? = nil
            var page = firstPage
            while page < end {
                guard mayMapUser(page, state) else { return .fault }
                guard let translation = state.table!.translate(VirtAddr(page)) else { return .notPresent(page) }
                guard translation.size == .size4KiB, translation.flags.contains(.user),
                      !writing || translation.flags.contains(.writable) else { return .fault }
                if first == nil { first = translation.physical } else { later.append(translation.physical) }
                page += 4096
            }
            guard let first else { return .done }
            var cursor = address
            func copyPage(_ frame: PhysAddr) {
                let offset = Int(cursor & 0xFFF)
                let done = Int(min(UInt64(4096 - offset), end - cursor))
                copy(FrameTable.memory(at: frame, size: FrameTable.frameSize), offset, done)
                cursor += UInt64(done)
            }
            copyPage(first)
            for frame in later { copyPage(frame) }
            return .done
        }
    }
}

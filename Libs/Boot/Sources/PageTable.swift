import X86

/// A 4-level x86_64 page table (SDM Vol. 3A §4.5) whose tables live in physical frames that
/// `frames` hands out and that are read and written through `memory`. Fence-internal: only
/// Boot writes page-table entries (``KernelPages`` is the safe API over the kernel's table).
///
/// Guarantees: intermediate entries are present, writable and (when the leaf asks for it)
/// user-accessible, and never no-execute, so the leaf's flags alone decide the permissions;
/// a table emptied by ``unmap(_:)`` is freed and its parent entry cleared; every table access
/// goes through the physical memory window, so a corrupt entry pointing outside it is a panic,
/// never a wild write.
struct PageTable<Frames: FrameAllocator>: AddressSpace {
    /// The physical address of the PML4.
    let root: PhysAddr
    /// Physical memory, where the tables live.
    let memory: PhysicalMemoryWindow
    /// Where new tables come from and emptied ones go.
    var frames: Frames

    static var entriesPerTable: Int { 512 }

    /// A new, empty address space; nil when no frame is left for its PML4.
    init?(memory: PhysicalMemoryWindow, frames: Frames) {
        var frames = frames
        guard let root = frames.allocate() else { return nil }
        self.root = root
        self.memory = memory
        self.frames = frames
        table(root).fill(0, count: 4096)
    }

    /// The 4 KiB table at `address`.
    func table(_ address: PhysAddr) -> MemoryRegion {
        guard let region = memory.region(at: address, size: 4096) else {
            preconditionFailure("page table outside the physical memory window")
        }
        return region
    }

    func entry(_ table: PhysAddr, _ index: Int) -> PageTableEntry {
        PageTableEntry(rawValue: self.table(table).load(as: UInt64.self, at: index * 8))
    }

    func setEntry(_ table: PhysAddr, _ index: Int, _ entry: PageTableEntry) {
        self.table(table).store(entry.rawValue, at: index * 8)
    }

    mutating func map(_ page: VirtAddr, to frame: PhysAddr, size: PageSize, flags: PageTableFlags) throws(MappingError) -> TLBFlush {
        guard page.value % size.bytes == 0, frame.value % size.bytes == 0 else { throw .misaligned(page) }
        var table = root
        var level = 4
        let intermediate: PageTableFlags = flags.contains(.user) ? [.present, .writable, .user] : [.present, .writable]
        while level > size.level {
            let index = page.pageTableIndex(level: level)
            let current = entry(table, index)
            if !current.isPresent {
                guard let fresh = frames.allocate() else { throw .outOfFrames }
                self.table(fresh).fill(0, count: 4096)
                setEntry(table, index, PageTableEntry(address: fresh, flags: intermediate))
                table = fresh
            } else if current.isHugePage {
                throw .hugePageInTheWay(page)
            } else {
                if flags.contains(.user) && !current.flags.contains(.user) {
                    setEntry(table, index, PageTableEntry(address: current.address, flags: current.flags.union(.user)))
                }
                table = current.address
            }
            level -= 1
        }
        let index = page.pageTableIndex(level: level)
        guard !entry(table, index).isPresent else { throw .alreadyMapped(page) }
        var leaf = flags.union(.present)
        if size != .size4KiB { leaf.insert(.hugePage) } else { leaf.remove(.hugePage) }
        setEntry(table, index, PageTableEntry(address: frame, flags: leaf))
        return TLBFlush(address: page)
    }

    mutating func unmap(_ address: VirtAddr) throws(MappingError) -> Unmapping {
        // Walk down, remembering the path so emptied tables can be freed on the way up.
        var path: [(table: PhysAddr, index: Int)] = []
        var table = root
        var level = 4
        while true {
            let index = address.pageTableIndex(level: level)
            let current = entry(table, index)
            guard current.isPresent else { throw .notMapped(address) }
            path.append((table, index))
            if level == 1 || current.isHugePage {
                let size: PageSize = level == 1 ? .size4KiB : (level == 2 ? .size2MiB : .size1GiB)
                setEntry(table, index, .empty)
                freeEmptyTables(path)
                return Unmapping(frame: current.address, size: size, flush: TLBFlush(address: VirtAddr(address.value & ~(size.bytes - 1))))
            }
            table = current.address
            level -= 1
        }
    }

    /// Replaces the flags of the present 4 KiB page at `page` (its frame stays); a user page's
    /// tables above it get the user bit too. The caller flushes the TLB.
    mutating func setFlags(_ page: VirtAddr, _ flags: PageTableFlags) throws(MappingError) {
        var table = root
        var level = 4
        while level > 1 {
            let index = page.pageTableIndex(level: level)
            let current = entry(table, index)
            guard current.isPresent else { throw .notMapped(page) }
            guard !current.isHugePage else { throw .hugePageInTheWay(page) }
            if flags.contains(.user) && !current.flags.contains(.user) {
                setEntry(table, index, PageTableEntry(address: current.address, flags: current.flags.union(.user)))
            }
            table = current.address
            level -= 1
        }
        let index = page.pageTableIndex(level: 1)
        let current = entry(table, index)
        guard current.isPresent else { throw .notMapped(page) }
        setEntry(table, index, PageTableEntry(address: current.address, flags: flags.union(.present).subtracting(.hugePage)))
    }

    /// Frees every table on `path` (leaf first) that has become empty, clearing its entry in
    /// the parent; stops at the first table still in use. The PML4 is never freed.
    mutating func freeEmptyTables(_ path: [(table: PhysAddr, index: Int)]) {
        var depth = path.count - 1
        while depth > 0 {
            let table = path[depth].table
            let region = self.table(table)
            for index in 0..<PageTable.entriesPerTable where region.load(as: UInt64.self, at: index * 8) != 0 { return }
            setEntry(path[depth - 1].table, path[depth - 1].index, .empty)
            try? frames.free(table)
            depth -= 1
        }
    }

    func translate(_ address: VirtAddr) -> Translation? {
        var table = root
        var level = 4
        while true {
            let current = entry(table, address.pageTableIndex(level: level))
            guard current.isPresent else { return nil }
            if level == 1 || current.isHugePage {
                let size: PageSize = level == 1 ? .size4KiB : (level == 2 ? .size2MiB : .size1GiB)
                return Translation(physical: current.address + (address.value & (size.bytes - 1)), flags: current.flags, size: size)
            }
            table = current.address
            level -= 1
        }
    }

    /// The number of page tables (including the PML4) reachable from the root.
    func tableCount() -> Int {
        func count(_ table: PhysAddr, level: Int) -> Int {
            guard level > 1 else { return 1 }
            var total = 1
            for index in 0..<PageTable.entriesPerTable {
                let e = entry(table, index)
                if e.isPresent && !e.isHugePage { total += count(e.address, level: level - 1) }
            }
            return total
        }
        return count(root, level: 4)
    }
}

extension PageTable: Sendable where Frames: Sendable {}

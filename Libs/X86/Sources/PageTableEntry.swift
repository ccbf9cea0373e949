/// The permission and attribute bits of a 4-level page-table entry (SDM Vol. 3A §4.5,
/// Tables 4-14 to 4-20).
public struct PageTableFlags: OptionSet, Sendable, Hashable {
    /// The raw bits (a plain value: no bit pattern is invalid).
    public let rawValue: UInt64
    /// The value with raw bits `rawValue` (any bits make a valid value).
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// P: the entry maps something.
    public static let present = PageTableFlags(rawValue: 1 << 0)
    /// R/W: writes are allowed.
    public static let writable = PageTableFlags(rawValue: 1 << 1)
    /// U/S: user mode may access.
    public static let user = PageTableFlags(rawValue: 1 << 2)
    /// PWT: write-through caching.
    public static let writeThrough = PageTableFlags(rawValue: 1 << 3)
    /// PCD: caching disabled (device memory).
    public static let cacheDisabled = PageTableFlags(rawValue: 1 << 4)
    /// A: set by the CPU on access.
    public static let accessed = PageTableFlags(rawValue: 1 << 5)
    /// D: set by the CPU on write (leaf entries).
    public static let dirty = PageTableFlags(rawValue: 1 << 6)
    /// PS: a 2 MiB (level 2) or 1 GiB (level 3) page instead of a table.
    public static let hugePage = PageTableFlags(rawValue: 1 << 7)
    /// G: not flushed on CR3 loads (with CR4.PGE).
    public static let global = PageTableFlags(rawValue: 1 << 8)
    /// XD: instruction fetches fault (needs EFER.NXE, set by Boot).
    public static let noExecute = PageTableFlags(rawValue: 1 << 63)

    /// Every bit that is a flag rather than part of the address.
    public static let all = PageTableFlags(rawValue: PageTableEntry.flagMask)
}

/// One 64-bit entry of a page table, page directory, PDPT or PML4.
///
/// Guarantees: the address part is always 4 KiB-aligned and within the 52-bit physical
/// address space; the flags never spill into the address bits.
public struct PageTableEntry: Sendable, Hashable, BitwiseCopyable {
    /// Bits 51..12: the physical address of the next table or of the page.
    public static let addressMask: UInt64 = 0x000F_FFFF_FFFF_F000
    /// The bits that are flags.
    public static let flagMask: UInt64 = ~addressMask

    /// The entry as the CPU reads it.
    public let rawValue: UInt64

    /// The entry with raw bits `rawValue`.
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// An entry pointing at `address` (4 KiB-aligned, checked) with `flags`.
    @inlinable public init(address: PhysAddr, flags: PageTableFlags) {
        precondition(address.value & ~PageTableEntry.addressMask == 0, "page-table entry address not aligned or too large")
        rawValue = address.value | (flags.rawValue & PageTableEntry.flagMask)
    }

    /// The empty (not present) entry.
    public static let empty = PageTableEntry(rawValue: 0)

    /// The physical address the entry points at.
    @inlinable public var address: PhysAddr { PhysAddr(rawValue & PageTableEntry.addressMask) }
    /// The entry's flags.
    @inlinable public var flags: PageTableFlags { PageTableFlags(rawValue: rawValue & PageTableEntry.flagMask) }
    /// Whether the entry maps something.
    @inlinable public var isPresent: Bool { rawValue & 1 != 0 }
    /// Whether the entry maps a huge page (levels 2 and 3).
    @inlinable public var isHugePage: Bool { rawValue & (1 << 7) != 0 }
}

/// The page sizes of 4-level paging.
public enum PageSize: UInt64, Sendable, CaseIterable {
    case size4KiB = 0x1000
    case size2MiB = 0x20_0000
    case size1GiB = 0x4000_0000

    /// The number of bytes.
    @inlinable public var bytes: UInt64 { rawValue }

    /// The table level whose entry maps a page of this size (1 = page table).
    public var level: Int {
        switch self {
        case .size4KiB: 1
        case .size2MiB: 2
        case .size1GiB: 3
        }
    }
}

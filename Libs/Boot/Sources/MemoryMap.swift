import X86

/// A range of physical memory, `[start, start + size)`.
public struct PhysicalRange: Sendable, Equatable {
    /// The first byte.
    public let start: PhysAddr
    /// The length in bytes.
    public let size: UInt64

    /// The range of `size` bytes at `start`.
    public init(start: PhysAddr, size: UInt64) {
        self.start = start
        self.size = size
    }

    /// One past the last byte.
    public var end: PhysAddr { start + size }

    /// Whether the two ranges share a byte.
    public func overlaps(_ other: PhysicalRange) -> Bool {
        start < other.end && other.start < end && size > 0 && other.size > 0
    }

    /// The parts of this range not covered by `hole` (zero, one or two ranges).
    public func subtracting(_ hole: PhysicalRange) -> [PhysicalRange] {
        guard overlaps(hole) else { return size > 0 ? [self] : [] }
        var parts: [PhysicalRange] = []
        if hole.start > start { parts.append(PhysicalRange(start: start, size: hole.start.value - start.value)) }
        if hole.end < end { parts.append(PhysicalRange(start: hole.end, size: end.value - hole.end.value)) }
        return parts
    }
}

/// One entry of the VMM's E820-style memory map.
public struct MemoryMapEntry: Sendable, Equatable {
    /// What the firmware says the range is (E820 / hvm_memmap_table_entry types).
    public enum Kind: Sendable, Equatable {
        /// Usable RAM (type 1).
        case usable
        /// Reserved (type 2).
        case reserved
        /// ACPI tables, reclaimable after reading (type 3).
        case acpiReclaimable
        /// ACPI non-volatile storage (type 4).
        case acpiNonVolatile
        /// Bad memory (type 5).
        case unusable
        /// Any other type number.
        case other(UInt32)

        /// The kind for an E820 type number.
        public init(type: UInt32) {
            switch type {
            case 1: self = .usable
            case 2: self = .reserved
            case 3: self = .acpiReclaimable
            case 4: self = .acpiNonVolatile
            case 5: self = .unusable
            default: self = .other(type)
            }
        }
    }

    /// The physical range.
    public let range: PhysicalRange
    /// What it holds.
    public let kind: Kind

    /// An entry for `range` of `kind`.
    public init(range: PhysicalRange, kind: Kind) {
        self.range = range
        self.kind = kind
    }
}

/// The machine's physical memory map as the VMM reported it.
///
/// Guarantees: entries are kept in the VMM's order; ``usableRanges(excluding:)`` never
/// returns a byte that is not usable RAM or that lies in one of the excluded ranges.
public struct MemoryMap: Sendable, Equatable {
    /// The entries, as reported.
    public let entries: [MemoryMapEntry]

    /// A map of `entries`.
    public init(entries: [MemoryMapEntry]) { self.entries = entries }

    /// Bytes of usable RAM.
    public var usableBytes: UInt64 {
        entries.reduce(0) { $0 + ($1.kind == .usable ? $1.range.size : 0) }
    }

    /// The usable RAM with every range in `excluded` cut out, in map order.
    public func usableRanges(excluding excluded: [PhysicalRange]) -> [PhysicalRange] {
        var ranges: [PhysicalRange] = []
        for entry in entries where entry.kind == .usable { ranges.append(entry.range) }
        for hole in excluded {
            var remaining: [PhysicalRange] = []
            for range in ranges { remaining += range.subtracting(hole) }
            ranges = remaining
        }
        return ranges
    }

    /// The largest range of ``usableRanges(excluding:)`` that lies entirely below `limit`
    /// after clipping, or nil when there is none.
    public func largestUsableRange(excluding excluded: [PhysicalRange], below limit: PhysAddr) -> PhysicalRange? {
        var best: PhysicalRange? = nil
        for range in usableRanges(excluding: excluded) where range.start < limit {
            let clipped = PhysicalRange(start: range.start, size: min(range.end.value, limit.value) - range.start.value)
            if clipped.size > (best?.size ?? 0) { best = clipped }
        }
        return best
    }
}

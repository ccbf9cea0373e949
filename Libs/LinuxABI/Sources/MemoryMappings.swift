/// A Linux process's memory mappings as `mmap`, `munmap`, `mprotect` and `brk` see them: the
/// policy half of the address space (what is mapped where, with which protection), kept apart
/// from the page tables, which the mechanism fills on the first touch of a mapped page.
///
/// Guarantees: mappings are page-aligned, non-empty, disjoint, sorted, and inside the window
/// given at creation; every call checks its arguments as Linux does (`EINVAL` for misaligned or
/// empty ranges and unknown bits, `ENOMEM` when no gap is left or a range is not mapped,
/// `EEXIST` for a fixed mapping that may not replace) and changes nothing when it fails; the
/// ranges a call takes away are returned, so the mechanism frees exactly their frames.
/// Adjacent mappings with the same protection are merged, so the table stays as small as the
/// program's layout.
public struct MemoryMappings: Sendable, Equatable {
    public static let pageSize: UInt64 = 4096

    /// `PROT_READ`, `PROT_WRITE`, `PROT_EXEC`; none is `PROT_NONE` (a reservation).
    public struct Protection: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let read = Protection(rawValue: 1)
        public static let write = Protection(rawValue: 2)
        public static let execute = Protection(rawValue: 4)
        static let known: Protection = [.read, .write, .execute]
    }

    /// One mapping: a page-aligned range and its protection.
    public struct Mapping: Sendable, Equatable {
        public var range: Range<UInt64>
        public var protection: Protection
    }

    /// Where a new mapping goes.
    public enum Placement: Sendable, Equatable {
        /// Anywhere (the hint is taken if that range is free): the highest gap that fits.
        case anywhere(hint: UInt64?)
        /// Exactly here, replacing what was there (`MAP_FIXED`).
        case fixed(UInt64)
        /// Exactly here, failing with `EEXIST` if anything is there (`MAP_FIXED_NOREPLACE`).
        case fixedNoReplace(UInt64)
    }

    /// The range mappings may occupy.
    public let window: Range<UInt64>
    public private(set) var mappings: [Mapping] = []

    /// An empty address space whose mappings lie within `window` (page-aligned inward).
    public init(window: Range<UInt64>) {
        let lower = MemoryMappings.roundUp(window.lowerBound) ?? window.upperBound
        let upper = window.upperBound & ~(MemoryMappings.pageSize - 1)
        self.window = lower..<max(lower, upper)
    }

    /// Maps `length` bytes (rounded up to pages) with `protection`; returns the address and
    /// the ranges a fixed mapping replaced.
    public mutating func map(length: UInt64, protection: Protection, placement: Placement) throws(LinuxError) -> (address: UInt64, replaced: [Range<UInt64>]) {
        guard length > 0, let size = MemoryMappings.roundUp(length), protection.isSubset(of: .known) else { throw .invalidArgument }
        switch placement {
        case .fixed(let address), .fixedNoReplace(let address):
            guard address % MemoryMappings.pageSize == 0 else { throw .invalidArgument }
            let (end, overflow) = address.addingReportingOverflow(size)
            guard !overflow, window.lowerBound <= address, end <= window.upperBound else { throw .outOfMemory }
            if case .fixedNoReplace = placement, mappings.contains(where: { $0.range.overlaps(address..<end) }) { throw .exists }
            let replaced = remove(address..<end)
            insert(Mapping(range: address..<end, protection: protection))
            return (address, replaced)
        case .anywhere(let hint):
            if let hint, hint % MemoryMappings.pageSize == 0, case (let end, false) = hint.addingReportingOverflow(size),
               window.lowerBound <= hint, end <= window.upperBound, !mappings.contains(where: { $0.range.overlaps(hint..<end) }) {
                insert(Mapping(range: hint..<end, protection: protection))
                return (hint, [])
            }
            // Top-down, as Linux's default layout: the highest gap that fits.
            var ceiling = window.upperBound
            for mapping in mappings.reversed() {
                if ceiling - mapping.range.upperBound >= size { break }
                ceiling = mapping.range.lowerBound
            }
            guard ceiling >= window.lowerBound, ceiling - window.lowerBound >= size else { throw .outOfMemory }
            let address = ceiling - size
            insert(Mapping(range: address..<ceiling, protection: protection))
            return (address, [])
        }
    }

    /// Unmaps `[address, address + length)` (rounded up to pages); unmapped parts are
    /// allowed, as in Linux. Returns the ranges taken away.
    public mutating func unmap(address: UInt64, length: UInt64) throws(LinuxError) -> [Range<UInt64>] {
        guard address % MemoryMappings.pageSize == 0, length > 0, let size = MemoryMappings.roundUp(length),
              case (let end, false) = address.addingReportingOverflow(size) else { throw .invalidArgument }
        return remove(address..<end)
    }

    /// Sets the protection of `[address, address + length)`, which must be mapped throughout
    /// (else `ENOMEM`, changing nothing).
    public mutating func protect(address: UInt64, length: UInt64, protection: Protection) throws(LinuxError) {
        guard address % MemoryMappings.pageSize == 0, protection.isSubset(of: .known) else { throw .invalidArgument }
        guard length > 0 else { return }
        guard let size = MemoryMappings.roundUp(length), case (let end, false) = address.addingReportingOverflow(size) else { throw .invalidArgument }
        // Mapped throughout?
        var cursor = address
        for mapping in mappings where mapping.range.upperBound > cursor && mapping.range.lowerBound < end {
            guard mapping.range.lowerBound <= cursor else { throw .outOfMemory }
            cursor = mapping.range.upperBound
        }
        guard cursor >= end else { throw .outOfMemory }
        _ = remove(address..<end)
        insert(Mapping(range: address..<end, protection: protection))
    }

    /// The mapping that holds `address`, if any (what a page fault is checked against).
    public func mapping(containing address: UInt64) -> Mapping? {
        var low = 0, high = mappings.count
        while low < high {
            let middle = (low + high) / 2
            if mappings[middle].range.upperBound <= address { low = middle + 1 } else { high = middle }
        }
        return low < mappings.count && mappings[low].range.contains(address) ? mappings[low] : nil
    }

    // MARK: Mechanics

    /// Takes `range` out of every mapping it meets, splitting those it cuts; returns what it took.
    mutating func remove(_ range: Range<UInt64>) -> [Range<UInt64>] {
        var kept: [Mapping] = []
        var taken: [Range<UInt64>] = []
        for mapping in mappings {
            guard mapping.range.overlaps(range) else { kept.append(mapping); continue }
            taken.append(max(mapping.range.lowerBound, range.lowerBound)..<min(mapping.range.upperBound, range.upperBound))
            if mapping.range.lowerBound < range.lowerBound {
                kept.append(Mapping(range: mapping.range.lowerBound..<range.lowerBound, protection: mapping.protection))
            }
            if mapping.range.upperBound > range.upperBound {
                kept.append(Mapping(range: range.upperBound..<mapping.range.upperBound, protection: mapping.protection))
            }
        }
        mappings = kept
        return taken
    }

    /// Inserts a mapping that overlaps none, merging it with equal neighbours.
    mutating func insert(_ new: Mapping) {
        var index = mappings.firstIndex { $0.range.lowerBound >= new.range.upperBound } ?? mappings.count
        mappings.insert(new, at: index)
        if index + 1 < mappings.count, mappings[index + 1].range.lowerBound == new.range.upperBound,
           mappings[index + 1].protection == new.protection {
            mappings[index].range = new.range.lowerBound..<mappings[index + 1].range.upperBound
            mappings.remove(at: index + 1)
        }
        if index > 0, mappings[index - 1].range.upperBound == mappings[index].range.lowerBound,
           mappings[index - 1].protection == mappings[index].protection {
            mappings[index - 1].range = mappings[index - 1].range.lowerBound..<mappings[index].range.upperBound
            mappings.remove(at: index)
            index -= 1
        }
    }

    /// `value` rounded up to a page, or nil if that overflows.
    static func roundUp(_ value: UInt64) -> UInt64? {
        let (sum, overflow) = value.addingReportingOverflow(pageSize - 1)
        return overflow ? nil : sum & ~(pageSize - 1)
    }
}

import ELF

/// How a static executable goes into memory, page by page: what the loader maps, with which
/// protection, which bytes of the file it copies where, and what stays zero (the bss). The
/// mechanism carries the plan out; the plan itself is pure arithmetic over a checked
/// ``StaticExecutable``, so it is tested on the host.
///
/// Guarantees: every region is page-aligned and inside `window`; regions are disjoint and in
/// address order; a page two segments share gets the union of their protections; each copy
/// lies inside its region and reads only bytes inside the file (the executable's own
/// guarantee); bytes of a region not covered by a copy are zero. A program that does not fit
/// `window` at its bias is refused.
public struct LoadPlan: Sendable, Equatable {
    public struct Region: Sendable, Equatable {
        public var range: Range<UInt64>
        public var protection: MemoryMappings.Protection
        public init(range: Range<UInt64>, protection: MemoryMappings.Protection) {
            self.range = range
            self.protection = protection
        }
    }

    /// File bytes `[fileOffset, fileOffset + length)` go to `address`.
    public struct Copy: Sendable, Equatable {
        public var address: UInt64
        public var fileOffset: UInt64
        public var length: UInt64
        public init(address: UInt64, fileOffset: UInt64, length: UInt64) {
            self.address = address
            self.fileOffset = fileOffset
            self.length = length
        }
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// The program's addresses, with the bias, lie outside the window.
        case outsideWindow
        /// The bias is not page-aligned (or the program is ET_EXEC and the bias is not 0).
        case badBias
    }

    public let regions: [Region]
    public let copies: [Copy]
    /// The entry point and the program headers' address, with the bias.
    public let entry: UInt64
    public let programHeaders: UInt64?
    /// The first page after the program: where the break starts.
    public let end: UInt64
    public let bias: UInt64

    /// The plan for `executable` at `bias` (0 for ET_EXEC; page-aligned for a static PIE),
    /// within `window`.
    public init(_ executable: StaticExecutable, bias: UInt64, window: Range<UInt64>) throws(Refusal) {
        let page = StaticExecutable.pageSize
        guard bias % page == 0, executable.kind == .positionIndependent || bias == 0 else { throw .badBias }
        let (low, lowOverflow) = executable.span.lowerBound.addingReportingOverflow(bias)
        let (high, highOverflow) = executable.span.upperBound.addingReportingOverflow(bias)
        guard !lowOverflow, !highOverflow, window.lowerBound <= low, high <= window.upperBound else { throw .outsideWindow }
        var regions: [Region] = []
        var copies: [Copy] = []
        for segment in executable.segments {
            let start = (segment.address + bias) & ~(page - 1)
            let stop = (segment.address + bias + segment.memorySize + page - 1) & ~(page - 1)
            var protection: MemoryMappings.Protection = []
            if segment.permissions.contains(.read) { protection.insert(.read) }
            if segment.permissions.contains(.write) { protection.insert(.write) }
            if segment.permissions.contains(.execute) { protection.insert(.execute) }
            // Segments are in order and do not overlap, but two may share a boundary page.
            if let last = regions.last, last.range.upperBound > start {
                regions[regions.count - 1].range = last.range.lowerBound..<start
                if regions[regions.count - 1].range.isEmpty { regions.removeLast() }
                regions.append(Region(range: start..<(start + page), protection: last.protection.union(protection)))
                if start + page < stop { regions.append(Region(range: (start + page)..<stop, protection: protection)) }
            } else if start < stop {
                regions.append(Region(range: start..<stop, protection: protection))
            }
            if segment.fileSize > 0 {
                copies.append(Copy(address: segment.address + bias, fileOffset: segment.fileOffset, length: segment.fileSize))
            }
        }
        self.regions = regions
        self.copies = copies
        self.bias = bias
        entry = executable.entry + bias
        programHeaders = executable.programHeaderAddress.map { $0 + bias }
        end = high
    }
}

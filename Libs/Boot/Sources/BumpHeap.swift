import X86

/// The early kernel heap: hands out memory by moving a pointer forward and never reuses it.
///
/// Guarantees: every block lies inside the current arena, is aligned as asked, and does not
/// overlap any other block; exhaustion returns nil (the runtime hook turns that into a
/// panic that names the request). Replaced by Alloc's heap when that module is linked.
public struct BumpHeap: Sendable, BitwiseCopyable {
    /// Where the current arena begins.
    public private(set) var arenaStart: UInt64
    /// The next free address.
    public private(set) var next: UInt64
    /// One past the last usable address of the current arena.
    public private(set) var end: UInt64
    /// Bytes handed out so far (including alignment padding).
    public private(set) var bytesAllocated: UInt64 = 0
    /// Number of blocks handed out and given back.
    public private(set) var allocations = 0
    /// Number of blocks given back.
    public private(set) var frees = 0

    /// A heap over `[start, start + size)`.
    public init(start: UInt64, size: UInt64) {
        arenaStart = start
        next = start
        end = start + size
    }

    /// A block of `size` bytes aligned to `alignment` (a power of two), or nil when the arena
    /// cannot hold it.
    public mutating func allocate(size: Int, alignment: Int) -> UInt64? {
        guard size >= 0, alignment > 0, alignment & (alignment - 1) == 0 else { return nil }
        let mask = UInt64(alignment - 1)
        let (padded, overflow) = next.addingReportingOverflow(mask)
        guard !overflow else { return nil }
        let start = padded & ~mask
        let (blockEnd, overflow2) = start.addingReportingOverflow(UInt64(max(size, 1)))
        guard !overflow2, blockEnd <= end else { return nil }
        bytesAllocated += blockEnd - next
        next = blockEnd
        allocations += 1
        return start
    }

    /// Notes that a block was given back (a bump heap cannot reuse it).
    public mutating func free() { frees += 1 }

    /// Continues in a new, larger arena `[start, start + size)`; the rest of the old one is
    /// abandoned. Used once the memory map is known.
    public mutating func moveArena(start: UInt64, size: UInt64) {
        arenaStart = start
        next = start
        end = start + size
    }

    /// Ends the current arena at `newEnd` (never beyond its old end or below `next`).
    public mutating func shrink(to newEnd: UInt64) {
        end = min(max(newEnd, next), end)
    }

    /// Bytes left in the current arena.
    public var bytesRemaining: UInt64 { end - next }
}

extension BumpHeap: PlainData {
    /// The heap's state is integers only, so any bits are a (bounds-checked) state.
    // SAFETY: every stored property is a UInt64 or an Int, so every bit pattern is a heap
    // state (a nonsensical one at worst, which `allocate` bounds-checks, never an invalid value).
    public static var everyBitPatternIsValid: BitPatternProof<BumpHeap> { unsafe BitPatternProof() }
}

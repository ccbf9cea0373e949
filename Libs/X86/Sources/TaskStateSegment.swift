/// The 64-bit task state segment (SDM Vol. 3A §8.7): the stacks the CPU switches to.
///
/// Guarantees: ``encode(into:interruptStackTops:)`` writes exactly the 104-byte layout, with
/// no I/O permission bitmap.
public enum TaskStateSegment {
    /// The size of a 64-bit TSS in bytes.
    public static let size = 104

    /// Writes a TSS into `region` whose interrupt stack table entry i+1 is
    /// `interruptStackTops[i]` (at most seven entries).
    public static func encode(into region: MemoryRegion, interruptStackTops: [UInt64]) {
        precondition(interruptStackTops.count <= 7, "the TSS has seven interrupt stacks")
        region.fill(0, offset: 0, count: size)
        for (index, top) in interruptStackTops.enumerated() {
            region.store(top, at: 36 + 8 * index)
        }
        region.store(UInt16(size), at: 102)  // I/O map base beyond the limit: no bitmap
    }
}

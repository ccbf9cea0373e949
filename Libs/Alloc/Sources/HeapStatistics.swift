/// The kernel heap's figures.
public struct HeapStatistics: Sendable, Equatable {
    /// Bytes of blocks handed out (rounded up to their size class or to whole pages).
    public var bytesInUse: UInt64 = 0
    /// The most bytes ever in use at once.
    public var peakBytes: UInt64 = 0
    /// Blocks handed out and not yet freed.
    public var blocksInUse = 0
    /// Bytes of memory the heap manages (all chunks, metadata included).
    public var bytesManaged: UInt64 = 0
    /// Pages currently not used by any slab or large block.
    public var freePages = 0

    public init() {}
}

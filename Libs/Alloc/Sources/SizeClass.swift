/// The heap's size classes for small blocks: powers of two from 16 to 2048 bytes. A block of
/// class size s is s-aligned, because slabs are page-aligned and blocks are laid out at
/// multiples of s.
enum SizeClass {
    /// How many classes there are.
    static let count = 8
    static let largest = 2048

    /// The block size of class `index`: 16 << index.
    @inline(__always) static func size(_ index: Int) -> Int { 16 << index }

    /// The smallest class holding `bytes` bytes aligned to `alignment`, or nil when a block
    /// that large must use whole pages.
    @inline(__always) static func index(bytes: Int, alignment: Int) -> Int? {
        let needed = max(bytes, alignment, 16)
        guard needed <= largest else { return nil }
        // 16 → 0, 17...32 → 1, ...
        return (Int.bitWidth - (needed - 1).leadingZeroBitCount) - 4
    }

    /// Blocks in one 4 KiB slab of class `index`.
    @inline(__always) static func blocksPerSlab(_ index: Int) -> Int { 4096 >> (index + 4) }
}

import Boot
import X86

/// The kernel heap: slabs of power-of-two size classes (16...2048 bytes) for small blocks,
/// runs of whole pages for large ones, over chunks of memory obtained from a ``HeapMemory``.
///
/// Guarantees: blocks never overlap and are aligned to the requested alignment (a power of
/// two; small blocks to their class size, large blocks to at least 4 KiB); a freed block is
/// reused, and a page run or slab whose last block is freed returns to the pool of free pages
/// (except one empty slab per size class, kept for the next allocation);
/// double frees and frees of addresses the heap did not hand out are reported as errors;
/// when memory is exhausted allocation returns nil. The heap never allocates Swift objects
/// itself (its chunk table has a fixed capacity), so it can serve the Swift runtime.
public struct KernelHeap: Sendable {
    /// The most chunks a heap can have.
    public static let maximumChunks = 64
    /// The smallest amount a heap grows by.
    public static let minimumGrowth = 64 * 1024

    var chunks: [HeapChunk] = []
    /// Per size class, the first slab with a free block (a list through the page records).
    var partialSlabs = [SlabID](repeating: .none, count: SizeClass.count)
    var memory: any HeapMemory
    public private(set) var statistics = HeapStatistics()
    var nextGrowth: Int

    /// A heap with no memory and nowhere to grow: every allocation returns nil.
    public static var empty: KernelHeap { KernelHeap(memory: NoHeapMemory()) }

    init(memory: any HeapMemory) {
        self.memory = memory
        nextGrowth = KernelHeap.minimumGrowth
    }

    /// A heap that takes its memory from `memory`, starting with `initialBytes` (rounded up
    /// to what one chunk needs). Returns nil when the first chunk cannot be had.
    public init?(memory: any HeapMemory, initialBytes: Int = KernelHeap.minimumGrowth) {
        self.memory = memory
        chunks.reserveCapacity(KernelHeap.maximumChunks)
        nextGrowth = max(initialBytes, KernelHeap.minimumGrowth)
        guard grow(minimumPages: 1) else { return nil }
    }

    // MARK: Allocation

    /// A block of `size` bytes aligned to `alignment`, as its address, or nil when the heap
    /// cannot grow enough.
    public mutating func allocate(size: Int, alignment: Int = 16) -> UInt64? {
        guard size >= 0, alignment > 0, alignment & (alignment - 1) == 0 else { return nil }
        if let sizeClass = SizeClass.index(bytes: size, alignment: alignment) {
            return allocateSmall(sizeClass)
        }
        let pages = (max(size, 1) + Alloc.pageSize - 1) / Alloc.pageSize
        return allocateLarge(pages: pages, alignment: UInt64(max(alignment, Alloc.pageSize)))
    }

    mutating func allocateSmall(_ sizeClass: Int) -> UInt64? { allocateSmallBlock(sizeClass)?.address }

    /// A block of class `sizeClass`: the chunk it is in and its address.
    mutating func allocateSmallBlock(_ sizeClass: Int) -> (chunk: Int, address: UInt64)? {
        var slab = partialSlabs[sizeClass]
        if slab == .none {
            guard let fresh = newSlab(sizeClass) else { return nil }
            slab = fresh
        }
        let chunk = chunks[slab.chunk]
        let record = chunk.record(slab.page)
        let blocks = SizeClass.blocksPerSlab(sizeClass)
        for word in 0..<((blocks + 63) / 64) {
            let bits = record.bitmap(word)
            let valid: UInt64 = blocks - word * 64 >= 64 ? ~0 : (1 << UInt64(blocks - word * 64)) - 1
            let freeBits = ~bits & valid
            guard freeBits != 0 else { continue }
            let bit = freeBits.trailingZeroBitCount
            record.setBitmap(word, bits | (1 << UInt64(bit)))
            record.used += 1
            if Int(record.used) == blocks { unlink(slab, sizeClass: sizeClass) }
            let size = SizeClass.size(sizeClass)
            account(bytes: Int64(size), blocks: 1)
            return (slab.chunk, chunk.pageAddress(slab.page) &+ UInt64((word * 64 + bit) * size))
        }
        preconditionFailure("heap corrupted: a partial slab has no free block")
    }

    mutating func newSlab(_ sizeClass: Int) -> SlabID? {
        guard let (chunkIndex, page) = takePages(count: 1, alignment: UInt64(Alloc.pageSize)) else { return nil }
        let record = chunks[chunkIndex].record(page)
        record.kind = .slab
        record.info = UInt32(sizeClass)
        let slab = SlabID(chunk: chunkIndex, page: page)
        link(slab, sizeClass: sizeClass)
        return slab
    }

    mutating func allocateLarge(pages: Int, alignment: UInt64) -> UInt64? {
        allocateLargeBlock(pages: pages, alignment: alignment)?.address
    }

    /// A run of `pages` pages aligned to `alignment`: the chunk it is in and its address.
    mutating func allocateLargeBlock(pages: Int, alignment: UInt64) -> (chunk: Int, address: UInt64)? {
        guard let (chunkIndex, first) = takePages(count: pages, alignment: alignment) else { return nil }
        let chunk = chunks[chunkIndex]
        chunk.record(first).kind = .largeHead
        chunk.record(first).info = UInt32(pages)
        for page in (first + 1)..<(first + pages) { chunk.record(page).kind = .largeTail }
        account(bytes: Int64(pages * Alloc.pageSize), blocks: 1)
        return (chunkIndex, chunk.pageAddress(first))
    }

    /// Reserves `count` free pages (marking nothing), growing the heap if needed.
    mutating func takePages(count: Int, alignment: UInt64) -> (Int, Int)? {
        for attempt in 0..<2 {
            for index in chunks.indices {
                if let page = chunks[index].findFreeRun(count: count, alignment: alignment) {
                    chunks[index].freePages -= count
                    if count == 1 { chunks[index].searchHint = page + 1 }
                    statistics.freePages -= count
                    return (index, page)
                }
            }
            if attempt == 0 {
                let extra = alignment > UInt64(Alloc.pageSize) ? Int(alignment) / Alloc.pageSize : 0
                guard grow(minimumPages: count + extra) else { return nil }
            }
        }
        return nil
    }

    /// Adds a chunk with room for at least `minimumPages` data pages.
    mutating func grow(minimumPages: Int) -> Bool {
        guard chunks.count < KernelHeap.maximumChunks else { return false }
        // Grow by the next step (doubling), or — when that much is not to be had — by what
        // the request needs.
        var pages = max(minimumPages, nextGrowth / Alloc.pageSize)
        var grant = memory.grow(minimumPages: pages)
        if grant == nil && pages > minimumPages {
            pages = minimumPages
            grant = memory.grow(minimumPages: pages)
        }
        guard let grant, let chunk = HeapChunk(grant: grant) else { return false }
        chunks.append(chunk)
        statistics.bytesManaged += UInt64(chunk.pageCount * Alloc.pageSize)
        statistics.freePages += chunk.pageCount
        nextGrowth = min(pages * Alloc.pageSize * 2, 64 << 20)
        return true
    }

    // MARK: Freeing

    /// Gives the block at `address` back.
    public mutating func free(_ address: UInt64) throws(HeapError) {
        guard let chunkIndex = chunks.firstIndex(where: { $0.contains(address) }) else {
            throw .notInHeap(address)
        }
        let chunk = chunks[chunkIndex]
        guard let page = chunk.page(containing: address) else { throw .invalidFree(address) }
        let record = chunk.record(page)
        switch record.kind {
        case .slab:
            let sizeClass = Int(record.info)
            let size = UInt64(SizeClass.size(sizeClass))
            let offset = address - chunk.pageAddress(page)
            guard offset % size == 0 else { throw .invalidFree(address) }
            let block = Int(offset / size)
            let bits = record.bitmap(block / 64)
            let mask: UInt64 = 1 << UInt64(block % 64)
            guard bits & mask != 0 else { throw .doubleFree(address) }
            record.setBitmap(block / 64, bits & ~mask)
            let slab = SlabID(chunk: chunkIndex, page: page)
            let wasFull = Int(record.used) == SizeClass.blocksPerSlab(sizeClass)
            record.used -= 1
            account(bytes: -Int64(size), blocks: -1)
            if wasFull { link(slab, sizeClass: sizeClass) }
            // An empty slab goes back to the free pages, unless it is its class's only partial
            // slab: keeping that one stops a steady allocate/free pattern from building and
            // tearing down a slab on every call.
            if record.used == 0 && !(partialSlabs[sizeClass] == slab && record.next == SlabID.none.rawValue) {
                unlink(slab, sizeClass: sizeClass)
                release(chunkIndex: chunkIndex, first: page, count: 1)
            }
        case .largeHead:
            guard address == chunk.pageAddress(page) else { throw .invalidFree(address) }
            let count = Int(record.info)
            account(bytes: -Int64(count * Alloc.pageSize), blocks: -1)
            release(chunkIndex: chunkIndex, first: page, count: count)
        case .free:
            throw .doubleFree(address)
        case .largeTail:
            throw .invalidFree(address)
        }
    }

    mutating func release(chunkIndex: Int, first: Int, count: Int) {
        for page in first..<(first + count) { chunks[chunkIndex].record(page).clear() }
        chunks[chunkIndex].freePages += count
        statistics.freePages += count
        if first < chunks[chunkIndex].searchHint { chunks[chunkIndex].searchHint = first }
    }

    // MARK: Bookkeeping

    @inline(__always)
    mutating func account(bytes: Int64, blocks: Int) {
        // Wrapping arithmetic: the counts cannot overflow (every subtraction follows the
        // matching addition), and this runs on every allocation.
        statistics.bytesInUse = statistics.bytesInUse &+ UInt64(bitPattern: bytes)
        statistics.blocksInUse &+= blocks
        if statistics.bytesInUse > statistics.peakBytes { statistics.peakBytes = statistics.bytesInUse }
    }

    func record(_ slab: SlabID) -> PageRecord { chunks[slab.chunk].record(slab.page) }

    mutating func link(_ slab: SlabID, sizeClass: Int) {
        let head = partialSlabs[sizeClass]
        record(slab).previous = SlabID.none.rawValue
        record(slab).next = head.rawValue
        if head != .none { record(head).previous = slab.rawValue }
        partialSlabs[sizeClass] = slab
    }

    mutating func unlink(_ slab: SlabID, sizeClass: Int) {
        let r = record(slab)
        let previous = SlabID(rawValue: r.previous), next = SlabID(rawValue: r.next)
        if previous != .none { record(previous).next = next.rawValue } else if partialSlabs[sizeClass] == slab { partialSlabs[sizeClass] = next }
        if next != .none { record(next).previous = previous.rawValue }
        r.previous = 0
        r.next = 0
    }

    /// Takes further growth from `memory` instead (chunks already obtained stay). Returns
    /// the previous source, which the caller must release outside any heap lock.
    public mutating func growFrom(_ memory: any HeapMemory) -> any HeapMemory {
        let previous = self.memory
        self.memory = memory
        return previous
    }

    /// Whether `address` lies in memory this heap manages.
    public func manages(_ address: UInt64) -> Bool {
        chunks.contains { $0.contains(address) }
    }
}

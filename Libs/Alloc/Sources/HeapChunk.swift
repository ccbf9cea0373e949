import X86

/// One contiguous piece of heap memory: a table of page records followed by the pages.
///
/// Layout: the first ``metadataPages`` pages hold one 64-byte ``PageRecord`` per data page;
/// data page i starts at byte (metadataPages + i) × 4 KiB of ``region``.
struct HeapChunk: Sendable {
    let region: MemoryRegion
    let metadataPages: Int
    let pageCount: Int
    var freePages: Int
    /// The data page where the next search for free pages starts.
    var searchHint = 0

    static let recordSize = 64

    /// Lays out a chunk over `region` (page-aligned, a multiple of 4 KiB); all pages free.
    init?(region: MemoryRegion) {
        let pages = region.size / Alloc.pageSize
        // p data pages need ceil(64 p / 4096) metadata pages: p = pages × 64 / 65, rounded down.
        let data = pages * 64 / 65
        let metadata = pages - data
        guard data > 0, (data * HeapChunk.recordSize + Alloc.pageSize - 1) / Alloc.pageSize <= metadata else { return nil }
        self.region = region
        metadataPages = metadata
        pageCount = data
        freePages = data
        region.fill(0, count: metadata * Alloc.pageSize)
    }

    /// The address of data page `page`.
    @inline(__always) func pageAddress(_ page: Int) -> UInt64 {
        region.base + UInt64((metadataPages + page) * Alloc.pageSize)
    }

    /// The data page holding `address`, or nil when the address is not in a data page.
    @inline(__always) func page(containing address: UInt64) -> Int? {
        guard address >= pageAddress(0), address < region.end else { return nil }
        return Int((address - pageAddress(0)) / UInt64(Alloc.pageSize))
    }

    /// The record of data page `page`.
    @inline(__always) func record(_ page: Int) -> PageRecord { PageRecord(table: region, offset: page * HeapChunk.recordSize) }

    /// The region of `count` data pages starting at `page`.
    func pages(_ page: Int, count: Int) -> MemoryRegion {
        region.subregion(offset: (metadataPages + page) * Alloc.pageSize, size: count * Alloc.pageSize)
    }

    /// Finds `count` consecutive free pages whose first page's address is a multiple of
    /// `alignment`; marks nothing.
    func findFreeRun(count: Int, alignment: UInt64) -> Int? {
        guard count <= freePages else { return nil }
        var start = count == 1 ? searchHint : 0
        var scanned = 0
        while start + count <= pageCount && scanned <= pageCount {
            if pageAddress(start) % alignment != 0 || record(start).kind != .free {
                start += 1
                scanned += 1
                continue
            }
            var length = 1
            while length < count && record(start + length).kind == .free { length += 1 }
            if length == count { return start }
            start += length + 1
            scanned += length + 1
        }
        if count == 1 && searchHint > 0 {
            for page in 0..<min(searchHint, pageCount) where record(page).kind == .free && pageAddress(page) % alignment == 0 {
                return page
            }
        }
        return nil
    }
}

/// The 64-byte record describing one heap page, stored in its chunk's metadata pages.
///
/// Fields (byte offsets): 0 kind, 4 size class or page count, 8 blocks in use, 12 previous and
/// 16 next slab of the same class (a ``SlabID``, 0 = none), 24...55 the slab's block bitmap.
struct PageRecord {
    enum Kind: UInt32 {
        case free = 0, slab = 1, largeHead = 2, largeTail = 3
    }

    let table: MemoryRegion
    let offset: Int

    var kind: Kind {
        @inline(__always)
        get { Kind(rawValue: table.load(as: UInt32.self, at: offset)) ?? .free }
        @inline(__always) nonmutating set { table.store(newValue.rawValue, at: offset) }
    }
    /// The size class of a slab, or the page count of a large block's head.
    var info: UInt32 {
        @inline(__always) get { table.load(as: UInt32.self, at: offset + 4) }
        @inline(__always) nonmutating set { table.store(newValue, at: offset + 4) }
    }
    var used: UInt32 {
        @inline(__always) get { table.load(as: UInt32.self, at: offset + 8) }
        @inline(__always) nonmutating set { table.store(newValue, at: offset + 8) }
    }
    var previous: UInt32 {
        @inline(__always) get { table.load(as: UInt32.self, at: offset + 12) }
        @inline(__always) nonmutating set { table.store(newValue, at: offset + 12) }
    }
    var next: UInt32 {
        @inline(__always) get { table.load(as: UInt32.self, at: offset + 16) }
        @inline(__always) nonmutating set { table.store(newValue, at: offset + 16) }
    }

    /// Word `index` (0...3) of the block bitmap: bit b set = block b in use.
    @inline(__always) func bitmap(_ index: Int) -> UInt64 { table.load(as: UInt64.self, at: offset + 24 + index * 8) }
    @inline(__always) func setBitmap(_ index: Int, _ value: UInt64) { table.store(value, at: offset + 24 + index * 8) }

    /// Marks the page free and clears its record.
    func clear() { table.fill(0, offset: offset, count: HeapChunk.recordSize) }
}

/// Names a heap page across chunks: (chunk index << 20 | page) + 1; 0 means none.
struct SlabID: Equatable {
    let rawValue: UInt32
    static let none = SlabID(rawValue: 0)
    init(rawValue: UInt32) { self.rawValue = rawValue }
    init(chunk: Int, page: Int) { rawValue = UInt32(chunk << 20 | page) + 1 }
    var chunk: Int { Int((rawValue - 1) >> 20) }
    var page: Int { Int((rawValue - 1) & 0xF_FFFF) }
}

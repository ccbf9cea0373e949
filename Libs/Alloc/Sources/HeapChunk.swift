import Boot
import X86

/// One piece of heap memory Boot granted: a table of page records (in the grant's metadata
/// region) and the data pages, which the heap knows only as addresses.
///
/// Layout: data page i starts at ``dataBase`` + i × 4 KiB; its 64-byte ``PageRecord`` is at
/// byte 64 i of ``metadata``.
struct HeapChunk: Sendable {
    let metadata: MemoryRegion
    let dataBase: UInt64
    let pageCount: Int
    var freePages: Int
    /// The data page where the next search for free pages starts.
    var searchHint = 0

    static let recordSize = 64

    /// A chunk over `grant`; all pages free.
    init?(grant: HeapGrant) {
        guard grant.dataPages > 0, grant.metadata.size >= grant.dataPages * HeapChunk.recordSize else { return nil }
        metadata = grant.metadata
        dataBase = grant.dataBase
        pageCount = grant.dataPages
        freePages = grant.dataPages
    }

    /// One past the last data byte.
    var end: UInt64 { dataBase + UInt64(pageCount * Alloc.pageSize) }

    /// Whether `address` lies in a data page.
    @inline(__always) func contains(_ address: UInt64) -> Bool { address >= dataBase && address < end }

    /// The address of data page `page`.
    @inline(__always) func pageAddress(_ page: Int) -> UInt64 {
        dataBase + UInt64(page * Alloc.pageSize)
    }

    /// The data page holding `address`, or nil when the address is not in a data page.
    @inline(__always) func page(containing address: UInt64) -> Int? {
        guard contains(address) else { return nil }
        return Int((address - dataBase) / UInt64(Alloc.pageSize))
    }

    /// The record of data page `page`.
    @inline(__always) func record(_ page: Int) -> PageRecord { PageRecord(table: metadata, offset: page * HeapChunk.recordSize) }

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

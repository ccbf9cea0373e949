import Synchronization
import X86

/// Memory granted to the runtime's heap, and which bytes of it are handed out: the fence's
/// check on the heap allocator, which is policy in Alloc.
///
/// Guarantees: the Swift runtime and ``HeapBlock`` holders receive only blocks that lie in
/// memory granted here (frames retyped to heap for good) and that overlap no block still
/// handed out: every block is recorded in a bitmap of 16-byte granules (allocated, and
/// where each block starts) before it leaves the fence, and cleared when it comes back; a
/// free of anything but a block's start is refused. So a bug in the heap allocator —
/// overlapping blocks, a block outside its memory, a double free — ends in a panic naming
/// it, never in two objects sharing memory. The allocator's own bookkeeping lives in a
/// separate metadata region of the grant, which holds no blocks.
public enum HeapOwnership {
    /// Bytes per granule.
    static let granule = 16

    /// One granted chunk: its data and its two bitmaps, as numbers (stored in the chunk table).
    struct Chunk: PlainData {
        var base: UInt64
        var size: UInt64
        /// Bit g: granule g is handed out.
        var allocatedBits: UInt64
        /// Bit g: a handed-out block starts at granule g.
        var startBits: UInt64
        /// Bit g: the block starting at granule g is detached (kept in the cache of freed
        /// blocks): it keeps its granules and its start mark, so block boundaries stay known.
        var cachedBits: UInt64

        // SAFETY: five integers: every bit pattern is a chunk (a wrong one is never published).
        static var everyBitPatternIsValid: BitPatternProof<Chunk> { unsafe BitPatternProof() }

        @inline(__always) func contains(_ address: UInt64, _ count: Int) -> Bool {
            address >= base && address - base <= size && UInt64(count) <= size - (address - base)
        }

        var bitmapBytes: Int { HeapOwnership.bitmapBytes(forData: Int(size)) / 3 }
        var allocated: MemoryRegion {
            // SAFETY: the chunk's own bitmap pages, which only this type touches (under the
            // runtime heap's lock).
            unsafe MemoryRegion(unsafeBase: allocatedBits, size: bitmapBytes)
        }
        var starts: MemoryRegion {
            // SAFETY: as for `allocated`.
            unsafe MemoryRegion(unsafeBase: startBits, size: bitmapBytes)
        }
    }

    /// The most chunks.
    static let maximumChunks = 256
    static let chunkBytes = MemoryLayout<Chunk>.stride

    /// The chunk table: append-only; entries below `published` never change again, so checks
    /// read it without a lock; registrations take `registering`.
    static let published = Atomic<Int>(0)
    static let registering = TicketLock()
    // SAFETY: set once by `prepare` (guarded by `prepared`) before any chunk is registered.
    nonisolated(unsafe) static var table: MemoryRegion? = nil
    static let prepared = Atomic<Bool>(false)

    /// Gives the chunk table its storage (fence memory of ``tableBytes`` bytes), once.
    static func prepare(table storage: MemoryRegion) {
        guard !prepared.exchange(true, ordering: .acquiringAndReleasing) else { return }
        unsafe table = storage
    }

    /// Bytes of the chunk table's storage.
    static var tableBytes: Int { maximumChunks * chunkBytes }

    /// Registers `size` bytes of heap data at `base` with bitmaps in `bits` (zeroed, at
    /// least ``bitmapBytes(forData:)`` bytes); false when the table is full or missing.
    static func register(base: UInt64, size: Int, bits: MemoryRegion) -> Bool {
        let third = UInt64(bitmapBytes(forData: size) / 3)
        let chunk = Chunk(base: base, size: UInt64(size), allocatedBits: bits.base, startBits: bits.base + third,
                          cachedBits: bits.base + 2 * third)
        return registering.withLock {
            guard let table = unsafe table else { return false }
            let count = published.load(ordering: .acquiring)
            guard count < maximumChunks else { return false }
            table.store(chunk, at: count * chunkBytes)
            published.store(count + 1, ordering: .releasing)
            return true
        }
    }

    /// The chunk the last check found (most blocks come from the same chunk as the one before).
    static let lastHit = Atomic<Int>(0)

    /// The chunk table's entry `index` (below `published`).
    @inline(__always) static func entry(_ table: MemoryRegion, _ index: Int) -> UnsafePointer<Chunk> {
        // SAFETY: `index` is below `published`, so the entry lies inside the table (sized for
        // `maximumChunks` entries, 64-byte aligned) and was written before it was published.
        unsafe UnsafePointer<Chunk>(bitPattern: UInt(table.base) &+ UInt(index &* chunkBytes)).unsafelyUnwrapped
    }

    /// The chunk holding `count` bytes at `address`.
    @inline(__always) static func find(_ address: UInt64, _ count: Int) -> Chunk? {
        guard let table = unsafe table else { return nil }
        let published = published.load(ordering: .acquiring)
        let hint = lastHit.load(ordering: .relaxed)
        if hint < published {
            let chunk = unsafe entry(table, hint).pointee
            if chunk.contains(address, count) { return chunk }
        }
        var index = published
        while index > 0 {
            index -= 1
            let chunk = unsafe entry(table, index).pointee
            if chunk.contains(address, count) {
                lastHit.store(index, ordering: .relaxed)
                return chunk
            }
        }
        return nil
    }

    /// The bitmap word holding granule `granule` of `chunk`'s map at `bits`.
    @inline(__always) static func word(_ bits: UInt64, _ granule: Int) -> UnsafeMutablePointer<UInt64> {
        // SAFETY: callers pass a granule below the chunk's granule count, so the word lies in
        // the bitmap (size / 16 bits, rounded up to whole words), which only this type touches,
        // under the runtime heap's lock.
        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(bits) &+ UInt((granule >> 6) << 3)).unsafelyUnwrapped
    }

    /// Bytes of the three bitmaps for `size` bytes of data (a multiple of 16 bytes).
    static func bitmapBytes(forData size: Int) -> Int { 3 * ((size / granule + 63) / 64 * 8) }

    /// Records the block of `size` bytes at `address` as handed out; false (recording nothing)
    /// when it is not inside granted memory, not granule-aligned, or overlaps a block that is.
    /// The caller holds the runtime heap's lock.
    static func claim(_ address: UInt64, size: Int) -> Bool {
        let count = max(size, 1)
        guard address % UInt64(granule) == 0, let chunk = find(address, count) else { return false }
        let first = Int(address &- chunk.base) >> 4
        let granules = (count &+ granule &- 1) >> 4
        let bit = first & 63
        if bit &+ granules <= 64 {
            // The common case: the block's granules share one bitmap word.
            let mask: UInt64 = granules == 64 ? ~0 : ((1 << UInt64(granules)) &- 1) << UInt64(bit)
            let allocated = unsafe word(chunk.allocatedBits, first)
            guard unsafe allocated.pointee & mask == 0 else { return false }
            unsafe allocated.pointee |= mask
            unsafe word(chunk.startBits, first).pointee |= 1 << UInt64(bit)
            return true
        }
        let allocated = chunk.allocated, starts = chunk.starts
        guard !anySet(allocated, first, granules) else { return false }
        set(allocated, first, granules, true)
        set(starts, first, 1, true)
        return true
    }

    /// Clears the block starting at `address`; false when no handed-out block starts there.
    /// The caller holds the runtime heap's lock.
    static func release(_ address: UInt64) -> Bool {
        guard let granules = detach(address) else { return false }
        clear(address, granules: granules)
        return true
    }

    /// Takes the block starting at `address` out of circulation without freeing its granules:
    /// it is marked detached (so it cannot be freed again) and its granules and start mark stay
    /// (so nothing can overlap it and its neighbours' boundaries stay known). Returns its
    /// length in granules, or nil when no handed-out, attached block starts there. The caller
    /// holds the runtime heap's lock.
    static func detach(_ address: UInt64) -> Int? {
        guard address % UInt64(granule) == 0, let chunk = find(address, 1) else { return nil }
        let first = Int(address &- chunk.base) >> 4
        let bit = UInt64(first & 63)
        let starts = unsafe word(chunk.startBits, first).pointee
        let cachedWord = unsafe word(chunk.cachedBits, first)
        let cached = unsafe cachedWord.pointee
        guard starts & (1 << bit) != 0, cached & (1 << bit) == 0 else { return nil }
        unsafe cachedWord.pointee = cached | 1 << bit
        // The block: allocated granules from `first` up to the next block's start.
        let allocated = unsafe word(chunk.allocatedBits, first).pointee
        let run = (~(allocated >> bit)).trailingZeroBitCount
        let untilNext = bit == 63 ? 64 : ((starts & ~(1 << bit)) >> (bit &+ 1)).trailingZeroBitCount &+ 1
        let length = min(run, untilNext)
        if UInt64(length) &+ bit < 64 { return length }
        // The block runs past this word: count granule by granule.
        let allocatedMap = chunk.allocated, startsMap = chunk.starts
        var granule = first &+ length
        let total = Int(chunk.size) / HeapOwnership.granule
        while granule < total && HeapOwnership.bit(allocatedMap, granule) && !HeapOwnership.bit(startsMap, granule) { granule += 1 }
        return granule &- first
    }

    /// Marks a detached block at `address` as handed out again.
    static func reattach(_ address: UInt64) {
        guard let chunk = find(address, 1) else { Panic.halt("heap: a cached block outside heap memory") }
        let first = Int(address &- chunk.base) >> 4
        unsafe word(chunk.cachedBits, first).pointee &= ~(1 << UInt64(first & 63))
    }

    /// Frees the granules, the start mark and the detached mark of a detached block of
    /// `granules` at `address`.
    static func clear(_ address: UInt64, granules: Int) {
        guard let chunk = find(address, granules * granule) else { Panic.halt("heap: a detached block outside heap memory") }
        let first = Int(address &- chunk.base) >> 4
        let bit = first & 63
        let own = ~(UInt64(1) << UInt64(bit))
        unsafe word(chunk.startBits, first).pointee &= own
        unsafe word(chunk.cachedBits, first).pointee &= own
        if bit &+ granules <= 64 {
            let mask: UInt64 = granules == 64 ? ~0 : ((1 << UInt64(granules)) &- 1) << UInt64(bit)
            unsafe word(chunk.allocatedBits, first).pointee &= ~mask
        } else {
            set(chunk.allocated, first, granules, false)
        }
    }

    @inline(__always) static func bit(_ map: MemoryRegion, _ index: Int) -> Bool {
        map.load(as: UInt64.self, at: index / 64 * 8) & (1 << UInt64(index % 64)) != 0
    }

    /// Calls `body` with the byte offset and mask of each bitmap word that bits `first` ..<
    /// `first + count` touch, in order; stops early when `body` returns false.
    @inline(__always)
    static func forEachWord(_ first: Int, _ count: Int, _ body: (Int, UInt64) -> Bool) {
        var index = first
        let end = first + count
        while index < end {
            let low = index % 64
            let high = min(64, low + (end - index))
            let mask: UInt64 = high - low == 64 ? ~0 : ((1 << UInt64(high - low)) - 1) << UInt64(low)
            guard body(index / 64 * 8, mask) else { return }
            index += high - low
        }
    }

    /// Whether any of `count` bits from `first` is set.
    static func anySet(_ map: MemoryRegion, _ first: Int, _ count: Int) -> Bool {
        var found = false
        forEachWord(first, count) { offset, mask in
            found = map.load(as: UInt64.self, at: offset) & mask != 0
            return !found
        }
        return found
    }

    /// Sets or clears `count` bits from `first`.
    static func set(_ map: MemoryRegion, _ first: Int, _ count: Int, _ value: Bool) {
        forEachWord(first, count) { offset, mask in
            let old = map.load(as: UInt64.self, at: offset)
            map.store(value ? old | mask : old & ~mask, at: offset)
            return true
        }
    }
}

/// A piece of memory given to the heap allocator, for good: `dataPages` pages of heap data
/// at ``dataBase`` (reachable by the allocator only as addresses) and a separate metadata
/// region for its own bookkeeping.
///
/// Guarantees: made only by ``make(from:metadataBytesPerPage:)`` from an owned run of
/// frames, which become heap frames for good; the data pages are registered with
/// ``HeapOwnership`` before the grant exists, and the metadata region covers none of them.
public struct HeapGrant: Sendable {
    /// The allocator's bookkeeping memory (zeroed): no block ever lies here.
    public let metadata: MemoryRegion
    /// The first data page.
    public let dataBase: UInt64
    /// How many 4 KiB data pages.
    public let dataPages: Int

    init(metadata: MemoryRegion, dataBase: UInt64, dataPages: Int) {
        self.metadata = metadata
        self.dataBase = dataBase
        self.dataPages = dataPages
    }

    /// Frames a run needs for `dataPages` pages of data with `metadataBytesPerPage` of the
    /// allocator's metadata each (the fence's bitmaps and the metadata, rounded to pages).
    public static func framesNeeded(dataPages: Int, metadataBytesPerPage: Int) -> Int {
        let page = FrameTable.frameSize
        let bitsPages = (HeapOwnership.bitmapBytes(forData: dataPages * page) + page - 1) / page
        let metadataPages = (dataPages * max(metadataBytesPerPage, 0) + page - 1) / page
        return dataPages + bitsPages + metadataPages
    }

    /// Turns `run` into heap memory: the fence's bitmaps, `metadataBytesPerPage` bytes of
    /// metadata per data page, and the data pages. Nil when the run is too small for one data
    /// page or the fence's table of heap memory is full (the frames are heap frames for good
    /// either way).
    public static func make(from run: consuming FrameRun, metadataBytesPerPage: Int) -> HeapGrant? {
        let start = run.address
        let pages = run.count
        FrameTable.retype(run, to: .heap)
        let page = FrameTable.frameSize
        // Per data page: 4 KiB of data, the fence's 96 bytes of bitmaps, the allocator's metadata.
        let perPage = page + 96 + max(metadataBytesPerPage, 0)
        var data = min(pages, pages * page / perPage + 2)   // an estimate from above, then down to what fits
        while data > 0 {
            let bitsPages = (HeapOwnership.bitmapBytes(forData: data * page) + page - 1) / page
            let metadataPages = (data * max(metadataBytesPerPage, 0) + page - 1) / page
            if bitsPages + metadataPages + data <= pages { break }
            data -= 1
        }
        guard data > 0 else { return nil }
        let bitsPages = (HeapOwnership.bitmapBytes(forData: data * page) + page - 1) / page
        let metadataPages = (data * max(metadataBytesPerPage, 0) + page - 1) / page
        let memory = FrameTable.memory(at: start, size: pages * page)
        memory.fill(0, count: (bitsPages + metadataPages) * page)
        let dataBase = memory.base + UInt64((bitsPages + metadataPages) * page)
        guard HeapOwnership.register(base: dataBase, size: data * page, bits: memory.subregion(offset: 0, size: bitsPages * page)) else {
            return nil
        }
        return HeapGrant(metadata: memory.subregion(offset: bitsPages * page, size: metadataPages * page),
                         dataBase: dataBase, dataPages: data)
    }
}

/// A block of heap memory handed to a module (not to the Swift runtime), owned.
///
/// Guarantees: minted only by ``RuntimeAllocator/allocate(bytes:alignment:)`` after
/// ``HeapOwnership`` recorded it, so it overlaps no other live block or object; it cannot be
/// copied, and freeing consumes it, so no view of the block outlives it.
public struct HeapBlock: ~Copyable, Sendable {
    /// The block's address.
    public let address: UInt64
    /// Its size in bytes.
    public let size: Int

    init(address: UInt64, size: Int) {
        self.address = address
        self.size = size
    }

    var memory: MemoryRegion {
        // SAFETY: the heap ownership table recorded these bytes as this block's alone.
        unsafe MemoryRegion(unsafeBase: address, size: size)
    }

    /// The `T` at byte `offset`.
    public func load<T: PlainData>(as type: T.Type = T.self, at offset: Int) -> T { memory.load(as: T.self, at: offset) }
    /// Stores `value` at byte `offset`.
    public func store<T: BitwiseCopyable>(_ value: T, at offset: Int) { memory.store(value, at: offset) }
    /// Sets `count` bytes from `offset` to `byte`.
    public func fill(_ byte: UInt8, offset: Int = 0, count: Int) { memory.fill(byte, offset: offset, count: count) }
}

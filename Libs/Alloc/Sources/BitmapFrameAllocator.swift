import Boot
import X86

/// A frame allocator keeping one bit per frame in two bitmaps: which frames it manages and
/// which of those are free.
///
/// Guarantees: frames outside usable RAM or inside an excluded range are never managed;
/// allocation finds the lowest free frame at or after a moving hint in O(frames / 64);
/// double frees and frees of unmanaged frames are detected.
public struct BitmapFrameAllocator: FrameAllocator, Sendable {
    /// Frames covered by the bitmaps: frame i is at physical address i × 4 KiB.
    public let frameCount: Int
    /// One bit per frame: managed.
    let managed: MemoryRegion
    /// One bit per frame: free.
    let free: MemoryRegion
    public private(set) var freeFrames = 0
    public private(set) var totalFrames = 0
    /// The 64-bit word where the next search starts.
    var hint = 0

    static let frameSize = UInt64(Alloc.pageSize)

    /// Bytes of storage the bitmaps need for `frameCount` frames.
    public static func storageSize(frameCount: Int) -> Int { 2 * ((frameCount + 63) / 64) * 8 }

    /// An allocator for the usable RAM of `memoryMap` below `limit`, minus `excluded`,
    /// keeping its bitmaps in `storage` (which must itself be excluded, and hold
    /// ``storageSize(frameCount:)`` bytes for `limit / 4 KiB` frames).
    public init(memoryMap: MemoryMap, excluding excluded: [PhysicalRange], limit: PhysAddr, storage: MemoryRegion) {
        frameCount = Int(limit.value / BitmapFrameAllocator.frameSize)
        let words = (frameCount + 63) / 64
        precondition(storage.size >= BitmapFrameAllocator.storageSize(frameCount: frameCount), "frame bitmap storage too small")
        managed = storage.subregion(offset: 0, size: words * 8)
        free = storage.subregion(offset: words * 8, size: words * 8)
        managed.fill(0, count: words * 8)
        free.fill(0, count: words * 8)
        for range in memoryMap.usableRanges(excluding: excluded) {
            // Only whole frames inside the range.
            let first = range.start.alignedUp(to: BitmapFrameAllocator.frameSize).value / BitmapFrameAllocator.frameSize
            let end = min(range.end.alignedDown(to: BitmapFrameAllocator.frameSize).value / BitmapFrameAllocator.frameSize, UInt64(frameCount))
            guard first < end else { continue }
            for frame in Int(first)..<Int(end) {
                setBit(managed, frame, true)
                setBit(free, frame, true)
            }
            totalFrames += Int(end - first)
        }
        freeFrames = totalFrames
    }

    /// Builds an allocator for the usable RAM below `limit`, placing its bitmaps in the first
    /// suitable free range, whose frames `claim(start, frames)` takes for good (Boot's
    /// ``FrameTable/claimPermanent(_:count:)``); the bitmaps' own frames are excluded.
    public static func make(memoryMap: MemoryMap, excluding excluded: [PhysicalRange], limit end: PhysAddr,
                            claim: (PhysAddr, Int) -> MemoryRegion?) -> BitmapFrameAllocator? {
        var highest: UInt64 = 0
        for range in memoryMap.usableRanges(excluding: excluded) { highest = max(highest, min(range.end.value, end.value)) }
        let limit = PhysAddr(highest).alignedDown(to: frameSize)
        let bytes = UInt64(storageSize(frameCount: Int(limit.value / frameSize)))
        let frames = Int(PhysAddr(bytes).alignedUp(to: frameSize).value / frameSize)
        for range in memoryMap.usableRanges(excluding: excluded) {
            let start = range.start.alignedUp(to: frameSize)
            guard start.value + bytes <= range.end.value, let storage = claim(start, frames) else { continue }
            let taken = PhysicalRange(start: start, size: UInt64(frames) * frameSize)
            return BitmapFrameAllocator(memoryMap: memoryMap, excluding: excluded + [taken], limit: limit,
                                        storage: storage.subregion(offset: 0, size: Int(bytes)))
        }
        return nil
    }

    func bit(_ map: MemoryRegion, _ frame: Int) -> Bool {
        map.load(as: UInt64.self, at: frame / 64 * 8) & (1 << UInt64(frame % 64)) != 0
    }

    func setBit(_ map: MemoryRegion, _ frame: Int, _ value: Bool) {
        let offset = frame / 64 * 8
        let word = map.load(as: UInt64.self, at: offset)
        let mask: UInt64 = 1 << UInt64(frame % 64)
        map.store(value ? word | mask : word & ~mask, at: offset)
    }

    /// Whether `frame` is managed and free.
    public func isFree(_ frame: PhysAddr) -> Bool {
        let index = Int(frame.value / BitmapFrameAllocator.frameSize)
        return index < frameCount && bit(free, index)
    }

    public mutating func allocate() -> PhysAddr? {
        let words = (frameCount + 63) / 64
        guard freeFrames > 0, words > 0 else { return nil }
        for step in 0..<words {
            let index = (hint + step) % words
            let word = free.load(as: UInt64.self, at: index * 8)
            if word != 0 {
                let frame = index * 64 + word.trailingZeroBitCount
                free.store(word & (word - 1), at: index * 8)
                freeFrames -= 1
                hint = index
                return PhysAddr(UInt64(frame) * BitmapFrameAllocator.frameSize)
            }
        }
        return nil
    }

    public mutating func allocateContiguous(count: Int, alignment: UInt64) -> PhysAddr? {
        guard count > 0, count <= freeFrames, alignment >= BitmapFrameAllocator.frameSize, alignment & (alignment - 1) == 0 else { return nil }
        let step = Int(alignment / BitmapFrameAllocator.frameSize)
        var start = 0
        while start + count <= frameCount {
            var length = 0
            while length < count && bit(free, start + length) { length += 1 }
            if length == count {
                for frame in start..<(start + count) { setBit(free, frame, false) }
                freeFrames -= count
                return PhysAddr(UInt64(start) * BitmapFrameAllocator.frameSize)
            }
            // Skip past the frame that broke the run, to the next aligned start.
            start = (start + length + 1 + step - 1) / step * step
        }
        return nil
    }

    /// Starts managing the `count` frames from `start`, free (RAM that held a boot module
    /// until its reader copied it): all or none; refused when one of them is managed already
    /// or lies beyond ``frameCount``.
    public mutating func adopt(_ start: PhysAddr, count: Int) throws(FrameError) {
        guard start.isAligned(to: BitmapFrameAllocator.frameSize) else { throw .misaligned(start) }
        let first = Int(start.value / BitmapFrameAllocator.frameSize)
        guard count >= 0, first <= frameCount, count <= frameCount - first else { throw .cannotAdopt(start) }
        for index in first..<(first + count) where bit(managed, index) {
            throw .cannotAdopt(PhysAddr(UInt64(index) * BitmapFrameAllocator.frameSize))
        }
        for index in first..<(first + count) {
            setBit(managed, index, true)
            setBit(free, index, true)
        }
        totalFrames += count
        freeFrames += count
    }

    public mutating func free(_ frame: PhysAddr) throws(FrameError) {
        guard frame.isAligned(to: BitmapFrameAllocator.frameSize) else { throw .misaligned(frame) }
        let index = Int(frame.value / BitmapFrameAllocator.frameSize)
        guard index < frameCount, bit(managed, index) else { throw .notManaged(frame) }
        guard !bit(free, index) else { throw .doubleFree(frame) }
        setBit(free, index, true)
        freeFrames += 1
    }
}

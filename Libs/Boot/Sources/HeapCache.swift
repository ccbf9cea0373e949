import X86

/// Recently freed small blocks kept for the next request of the same size, so a steady
/// allocate/free pattern costs a few instructions under the fence's lock instead of a trip
/// through the heap policy and the granule bitmaps (the role glibc's tcache plays).
///
/// Guarantees: a cached block is detached in ``HeapOwnership`` — its granules stay marked
/// allocated, so nothing can be handed out over it, and its start mark is cleared, so a second
/// free of it is refused — and it leaves the cache only to be handed out again (start mark
/// restored) or drained back to the policy. Every operation runs under the runtime heap's
/// lock. The storage is fence memory set aside at boot, never the heap itself.
enum HeapCache {
    /// Block lengths cached: 1...16 granules (16...256 bytes).
    static let bucketCount = 16
    /// Blocks kept per length.
    static let capacity = 32
    static let countsBytes = bucketCount * 8
    /// Bytes of storage the cache needs.
    static let storageBytes = countsBytes + bucketCount * capacity * 8

    // SAFETY: set once by `prepare` (Boot, before the runtime heap is installed); used only
    // under the runtime heap's lock.
    nonisolated(unsafe) static var storage: MemoryRegion? = nil

    /// Gives the cache its storage (zeroed, ``storageBytes``).
    static func prepare(_ region: MemoryRegion) {
        region.fill(0, count: region.size)
        unsafe storage = region
    }

    /// A cached block for `size` bytes aligned to `alignment`, or nil.
    @inline(__always)
    static func take(size: Int, alignment: Int) -> UInt64? {
        guard let storage = unsafe storage else { return nil }
        let granules = (max(size, 1) &+ 15) >> 4
        guard granules <= bucketCount else { return nil }
        let bucket = granules &- 1
        let count = Int(storage.load(as: UInt64.self, at: bucket &* 8))
        guard count > 0 else { return nil }
        let slot = countsBytes &+ (bucket &* capacity &+ count &- 1) &* 8
        let block = storage.load(as: UInt64.self, at: slot)
        guard block & UInt64(alignment &- 1) == 0 else { return nil }
        storage.store(UInt64(count &- 1), at: bucket &* 8)
        return block
    }

    /// Keeps a detached block of `granules`; false when it is not cacheable or the bucket is full.
    @inline(__always)
    static func keep(_ block: UInt64, granules: Int) -> Bool {
        guard let storage = unsafe storage, granules >= 1, granules <= bucketCount else { return false }
        let bucket = granules &- 1
        let count = Int(storage.load(as: UInt64.self, at: bucket &* 8))
        guard count < capacity else { return false }
        storage.store(block, at: countsBytes &+ (bucket &* capacity &+ count) &* 8)
        storage.store(UInt64(count &+ 1), at: bucket &* 8)
        return true
    }

    /// Hands every cached block to `free`, with its length, and empties the cache.
    static func drain(_ free: (UInt64, Int) -> Void) {
        guard let storage = unsafe storage else { return }
        for bucket in 0..<bucketCount {
            let count = Int(storage.load(as: UInt64.self, at: bucket * 8))
            for index in 0..<count { free(storage.load(as: UInt64.self, at: countsBytes + (bucket * capacity + index) * 8), bucket + 1) }
            storage.store(UInt64(0), at: bucket * 8)
        }
    }
}

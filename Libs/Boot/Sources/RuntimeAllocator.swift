import Synchronization
import X86

/// Heap figures every image can report, whichever heap serves the runtime.
public struct MemoryStatistics: Sendable, Equatable {
    /// Bytes of heap blocks currently handed out.
    public var heapBytesInUse: UInt64
    /// The most bytes ever handed out at once.
    public var heapPeakBytes: UInt64
    /// Physical frames still free (0 when no frame allocator is linked).
    public var framesFree: Int
    /// Physical frames managed (0 when no frame allocator is linked).
    public var framesTotal: Int

    /// Figures as given (plain numbers).
    public init(heapBytesInUse: UInt64, heapPeakBytes: UInt64, framesFree: Int, framesTotal: Int) {
        self.heapBytesInUse = heapBytesInUse
        self.heapPeakBytes = heapPeakBytes
        self.framesFree = framesFree
        self.framesTotal = framesTotal
    }
}

/// The heap allocator Alloc provides: policy, which the fence calls under its own lock and
/// checks.
///
/// Contract: ``allocate(size:alignment:)`` returns an address inside memory granted through
/// ``HeapGrant/make(from:metadataBytesPerPage:)``, or nil; ``free(_:)`` receives only blocks
/// the fence has verified it handed out. An implementation that breaks the contract causes a
/// panic in the fence, never overlapping blocks.
public protocol HeapPolicy: AnyObject {
    /// A block of `size` bytes aligned to `alignment`, or nil.
    func allocate(size: Int, alignment: Int) -> UInt64?
    /// Gives back the block at `address`.
    func free(_ address: UInt64)
    /// The heap's figures.
    var statistics: MemoryStatistics { get }
}

/// Which heap serves the Swift runtime's `posix_memalign` and `free`, checked by the fence.
///
/// Until a heap module (Alloc) installs its ``HeapPolicy``, the ``EarlyHeap`` does. The policy
/// runs under the fence's lock, and every block it hands out goes through ``HeapOwnership``
/// first, which refuses (with a panic) a block outside granted heap memory or overlapping a
/// live one; every free is checked there before the policy sees it.
/// Guarantees: ``install(_:)`` happens once (a second call panics); afterwards every
/// allocation and free goes to the installed policy, through the check.
public enum RuntimeAllocator {
    /// The lock the policy runs under: a ticket lock in static storage, because the
    /// allocator's own lock must not need the allocator.
    static let lock = TicketLock()
    static let installed = Atomic<Bool>(false)
    // SAFETY: written once by `install` under `lock`; read and used only under `lock`, so one
    // processor at a time runs the (non-Sendable) policy.
    nonisolated(unsafe) static var policy: (any HeapPolicy)? = nil

    /// Makes `policy` serve the runtime's allocations from now on. Once.
    public static func install(_ policy: sending any HeapPolicy) {
        guard !installed.exchange(true, ordering: .acquiringAndReleasing) else { Panic.halt("the runtime's heap is installed once") }
        lock.withLock { unsafe RuntimeAllocator.policy = policy }
    }

    /// The current heap's figures (the cache of freed blocks is given back to the heap first,
    /// so they count as free).
    public static var statistics: MemoryStatistics {
        let report = lock.withLock { () -> MemoryStatistics? in
            guard let policy = unsafe policy else { return nil }
            HeapCache.drain { block, granules in
                HeapOwnership.clear(block, granules: granules)
                policy.free(block)
            }
            return policy.statistics
        }
        if let report { return report }
        let used = EarlyHeap.bytesAllocated
        return MemoryStatistics(heapBytesInUse: used, heapPeakBytes: used, framesFree: 0, framesTotal: 0)
    }

    /// A block from the policy, checked and recorded; 0 when the policy has none, nil when no
    /// policy is installed.
    @inline(__always)
    static func checkedAllocate(size: Int, alignment: Int) -> UInt64? {
        lock.withLock { () -> UInt64? in
            guard let policy = unsafe policy else { return nil }
            if let cached = HeapCache.take(size: size, alignment: alignment) {
                HeapOwnership.reattach(cached)
                return cached
            }
            guard let block = policy.allocate(size: size, alignment: alignment) else { return 0 }
            guard block & UInt64(alignment &- 1) == 0, HeapOwnership.claim(block, size: size) else {
                Panic.halt("heap: the allocator handed out memory that is not free heap memory, at ", decimal: block)
            }
            return block
        }
    }

    /// A block for the runtime: from the installed heap (checked) or the early heap; a panic
    /// naming the request when memory is exhausted.
    static func allocate(size: Int, alignment: Int) -> UInt64 {
        guard let block = checkedAllocate(size: size, alignment: alignment) else {
            return EarlyHeap.allocate(size: size, alignment: alignment)
        }
        if block == 0 { Panic.halt("out of memory: the kernel heap cannot satisfy a request of ", decimal: UInt64(size)) }
        return block
    }

    static func free(_ address: UInt64) {
        guard address != 0 else { return }
        let known = lock.withLock { () -> Bool in
            guard let policy = unsafe policy else { return false }
            if let granules = HeapOwnership.detach(address) {
                giveBack(address, granules: granules, to: policy)
                return true
            }
            if EarlyHeap.handedOut(address) { return true }
            Panic.halt("heap: free of an address the heap did not hand out: ", decimal: address)
        }
        if !known { EarlyHeap.free() }
    }

    /// A block of `bytes` for a module, owned, or nil when the heap cannot serve it.
    public static func allocate(bytes: Int, alignment: Int = 16) -> HeapBlock? {
        guard bytes >= 0, alignment > 0, alignment & (alignment - 1) == 0,
              let block = checkedAllocate(size: bytes, alignment: alignment), block != 0 else { return nil }
        return HeapBlock(address: block, size: bytes)
    }

    /// Gives a block back.
    public static func free(_ block: consuming HeapBlock) {
        let address = block.address
        lock.withLock {
            guard let policy = unsafe policy, let granules = HeapOwnership.detach(address) else { Panic.halt("heap: a block token without its block") }
            giveBack(address, granules: granules, to: policy)
        }
    }

    /// A detached block of `granules` at `address` goes into the cache of freed blocks, or,
    /// when that is full or it is too large, back to the policy. The caller holds `lock`.
    @inline(__always)
    static func giveBack(_ address: UInt64, granules: Int, to policy: any HeapPolicy) {
        guard !HeapCache.keep(address, granules: granules) else { return }
        HeapOwnership.clear(address, granules: granules)
        policy.free(address)
    }
}

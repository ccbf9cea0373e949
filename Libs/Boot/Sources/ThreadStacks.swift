import X86

/// The kernel's stacks for threads and for processors' first threads: slots in a range of the
/// lazy area that only this pool hands out, each a 4 KiB guard page (never backed) followed by
/// the stack.
///
/// Guarantees: every ``ThreadStack`` this pool makes covers its own slot's stack and nothing
/// else, and is made once per slot until it comes back through ``give(_:)``; no
/// ``MemoryRegion`` over the range exists outside the fence, so a stack in use can be
/// reached only by the code running on it. The memory is backed on first touch by the demand
/// pager, which Boot tells about the range (``arena``) as numbers, not as a capability.
public final class ThreadStacks: Sendable {
    /// Bytes of one stack.
    public static let stackBytes = 64 * 1024
    /// Bytes of one slot: the guard page and the stack.
    public static let slotBytes = stackBytes + 4096
    /// The most stacks the pool holds.
    public static let slotCount = 65536

    /// Where the slots lie: the first byte, the length, and the slot size (each slot begins
    /// with its guard page).
    public let arena: (base: UInt64, size: Int, slotBytes: Int)

    struct Pool {
        var carved = 0
        var free: [UInt64] = []
    }
    let pool = InterruptSafeLock(Pool())

    init(base: UInt64) {
        arena = (base, ThreadStacks.slotCount * ThreadStacks.slotBytes, ThreadStacks.slotBytes)
    }

    /// A stack nobody else holds, or nil when all slots are in use.
    public func take() -> ThreadStack? {
        let base = pool.withLock { pool -> UInt64? in
            if let reused = pool.free.popLast() { return reused }
            guard pool.carved < ThreadStacks.slotCount else { return nil }
            defer { pool.carved += 1 }
            return arena.base + UInt64(pool.carved * ThreadStacks.slotBytes + 4096)
        }
        guard let base else { return nil }
        // SAFETY: `base` is the stack of a slot no token covers (never carved before, or given
        // back); the slot lies in the lazy area, backed on first touch, and no region over it
        // exists outside the fence.
        return unsafe ThreadStack(unsafeBase: base, size: ThreadStacks.stackBytes)
    }

    /// Takes back a stack nobody runs on any more (from ``ExecutionContext/retire()``). A
    /// stack that is not one of this pool's (the boot stack) is simply dropped.
    public func give(_ stack: consuming ThreadStack) {
        let base = stack.base
        let offset = base &- arena.base
        guard base >= arena.base, offset < UInt64(arena.size), offset % UInt64(ThreadStacks.slotBytes) == 4096,
              stack.size == ThreadStacks.stackBytes else { return }
        pool.withLock { $0.free.append(base) }
    }
}

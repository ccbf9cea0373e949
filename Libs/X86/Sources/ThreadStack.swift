/// The memory of one kernel stack, as an owned token: whoever holds it is the only code that
/// may run on that memory, and no ``MemoryRegion`` over it exists outside the fence.
///
/// Guarantees: a `ThreadStack` cannot be copied, and only trusted code makes one (its init is
/// `@unsafe`; Boot's stack pool is the maker). An ``ExecutionContext`` consumes it, so the
/// code that prepared a thread's first frame — its return address included — can no longer
/// reach it; the token comes back only from ``ExecutionContext/retire()``, once the context
/// can never run again.
public struct ThreadStack: ~Copyable, Sendable {
    /// The lowest address of the stack.
    public let base: UInt64
    /// Its size in bytes.
    public let size: Int

    /// The stack of `size` bytes at `unsafeBase`. The caller promises the memory is mapped
    /// (or backed on first touch), writable, at least 4 KiB with a 16-byte aligned end, and
    /// that nothing else uses it or can reach it while the token, or a context made from it,
    /// exists.
    @unsafe public init(unsafeBase: UInt64, size: Int) {
        precondition(size >= 4096 && (unsafeBase &+ UInt64(size)) % 16 == 0, "a stack needs 4 KiB and a 16-byte aligned end")
        base = unsafeBase
        self.size = size
    }

    /// One past the highest address.
    public var end: UInt64 { base + UInt64(size) }

    /// The stack's memory, for the fence's own use (preparing frames, touching pages).
    var memory: MemoryRegion {
        // SAFETY: the token's maker promised the memory is the stack's and no one else's.
        unsafe MemoryRegion(unsafeBase: base, size: size)
    }

    /// Touches every page, so a demand pager backs all of them now (for stacks that must not
    /// fault, such as an application processor's first one).
    public func touchEveryPage() {
        #if hasFeature(Embedded)
        for offset in stride(from: 0, to: size, by: 4096) {
            // SAFETY: a one-byte volatile read inside the stack the token covers (a plain
            // read-then-write of the same byte would be optimised away and touch nothing).
            _ = unsafe UInt8.volatileLoad(base + UInt64(offset))
        }
        #endif
    }
}

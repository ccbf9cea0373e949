import X86

/// Where the kernel heap gets more memory when it runs out.
///
/// Contract: ``grow(minimumBytes:)`` returns a region of at least that many bytes, a multiple
/// of 4 KiB, page-aligned, mapped readable and writable, used by nobody else, and never
/// returned twice; or nil when no memory is left.
public protocol HeapMemory: AnyObject, Sendable {
    /// More memory for the heap.
    func grow(minimumBytes: Int) -> MemoryRegion?
}

/// A heap memory source that has nothing to give.
final class NoHeapMemory: HeapMemory {
    func grow(minimumBytes: Int) -> MemoryRegion? { nil }
}

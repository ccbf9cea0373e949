import Boot
import X86

/// Where the kernel heap gets more memory when it runs out.
///
/// Contract: ``grow(minimumPages:)`` returns a grant of at least that many data pages, or nil
/// when no memory is left. Grants are made by Boot (``HeapGrant/make(from:metadataBytesPerPage:)``)
/// from owned frames, so a source can only decide how much and when, never where.
public protocol HeapMemory: AnyObject, Sendable {
    /// More memory for the heap.
    func grow(minimumPages: Int) -> HeapGrant?
}

/// A heap memory source that has nothing to give.
final class NoHeapMemory: HeapMemory {
    func grow(minimumPages: Int) -> HeapGrant? { nil }
}

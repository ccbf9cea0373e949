/// Why a heap block could not be freed.
public enum HeapError: Error, Equatable, Sendable {
    /// The block is already free.
    case doubleFree(UInt64)
    /// The address lies in the heap but is not the start of a block it handed out.
    case invalidFree(UInt64)
    /// The address does not lie in memory the heap manages.
    case notInHeap(UInt64)
}

import Alloc
import X86

/// The kernel's frame allocator (Alloc's ``Frames``) seen as a ``FrameAllocator`` value, so
/// the kernel's page table draws its tables from the shared pool.
public struct KernelFrames: FrameAllocator, Sendable {
    public init() {}
    public mutating func allocate() -> PhysAddr? { Frames.allocate() }
    public mutating func allocateContiguous(count: Int, alignment: UInt64) -> PhysAddr? {
        Frames.allocateContiguous(count: count, alignment: alignment)
    }
    public mutating func free(_ frame: PhysAddr) throws(FrameError) { try Frames.free(frame) }
    public var freeFrames: Int { Frames.counts.free }
    public var totalFrames: Int { Frames.counts.total }
}

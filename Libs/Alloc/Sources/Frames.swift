import Boot
import X86

/// The kernel's physical frames: the frame allocator ``AllocModule`` built at start-up,
/// behind an interrupt-safe lock.
public enum Frames {
    static let allocator = InterruptSafeLock<BitmapFrameAllocator?>(nil)

    /// A free frame, or nil when memory is exhausted.
    public static func allocate() -> PhysAddr? { allocator.withLock { $0?.allocate() } }

    /// `count` contiguous frames aligned to `alignment`, or nil.
    public static func allocateContiguous(count: Int, alignment: UInt64 = UInt64(Alloc.pageSize)) -> PhysAddr? {
        allocator.withLock { $0?.allocateContiguous(count: count, alignment: alignment) }
    }

    /// Gives a frame back.
    public static func free(_ frame: PhysAddr) throws(FrameError) {
        try allocator.withLock { (allocator: inout BitmapFrameAllocator?) throws(FrameError) in
            guard allocator != nil else { throw .notManaged(frame) }
            try allocator!.free(frame)
        }
    }

    /// Frames free and managed.
    public static var counts: (free: Int, total: Int) {
        allocator.withLock { ($0?.freeFrames ?? 0, $0?.totalFrames ?? 0) }
    }
}

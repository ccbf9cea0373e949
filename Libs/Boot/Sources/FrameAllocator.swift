import X86

/// Why a frame could not be given back.
public enum FrameError: Error, Equatable, Sendable {
    /// The frame is already free.
    case doubleFree(PhysAddr)
    /// The allocator never manages this frame (reserved, the kernel image, not RAM).
    case notManaged(PhysAddr)
    /// The address is not the start of a 4 KiB frame.
    case misaligned(PhysAddr)
    /// The frame is managed already, or beyond the frames the allocator can keep (adoption).
    case cannotAdopt(PhysAddr)
}

/// Hands out 4 KiB physical frames.
///
/// Contract: a frame is never handed out twice without being freed in between; frames in
/// reserved ranges are never handed out; freeing a frame that is free or not managed is an
/// error, not a silent corruption.
public protocol FrameAllocator {
    /// A free frame, or nil when none is left.
    mutating func allocate() -> PhysAddr?
    /// The first of `count` consecutive free frames whose address is a multiple of
    /// `alignment` (a power of two, at least 4 KiB), or nil.
    mutating func allocateContiguous(count: Int, alignment: UInt64) -> PhysAddr?
    /// Gives a frame back.
    mutating func free(_ frame: PhysAddr) throws(FrameError)
    /// Frames currently free.
    var freeFrames: Int { get }
    /// Frames managed in all.
    var totalFrames: Int { get }
}

import X86

/// One 4 KiB frame of RAM, owned: whoever holds the token is the only code that can reach
/// the frame's bytes.
///
/// Guarantees: only ``FrameTable`` mints a `Frame`, after recording the frame as owned in its
/// per-frame state, so no two tokens for one frame exist; the token cannot be copied, and
/// giving the frame back (``FrameTable/release(_:)``), mapping it or turning it into DMA
/// memory consumes it. Its bytes are reached through the methods below, never through a
/// ``MemoryRegion`` that could outlive the token.
public struct Frame: ~Copyable, Sendable {
    /// The frame's physical address (4 KiB-aligned).
    public let address: PhysAddr

    init(address: PhysAddr) { self.address = address }

    /// The frame's bytes, through the fence's identity window.
    var memory: MemoryRegion { FrameTable.memory(at: address, size: FrameTable.frameSize) }

    /// Sets `count` bytes from `offset` to `byte`.
    public func fill(_ byte: UInt8, offset: Int = 0, count: Int = FrameTable.frameSize) {
        memory.fill(byte, offset: offset, count: count)
    }

    /// The `T` at byte `offset`.
    public func load<T: PlainData>(as type: T.Type = T.self, at offset: Int) -> T { memory.load(as: T.self, at: offset) }

    /// Stores `value` at byte `offset`.
    public func store<T: BitwiseCopyable>(_ value: T, at offset: Int) { memory.store(value, at: offset) }

    /// Copies `bytes` in at `offset`.
    public func copy(bytes: [UInt8], to offset: Int) { memory.copy(bytes: bytes, to: offset) }

    /// `count` bytes from `offset`.
    public func bytes(at offset: Int, count: Int) -> [UInt8] { memory.bytes(at: offset, count: count) }

    /// Turns the frame into memory shared with devices, for good: its state becomes DMA and it
    /// is never handed out again, so the (copyable) buffer can never alias other memory.
    public consuming func intoDMABuffer() -> DMABuffer {
        let address = self.address
        FrameTable.retype(consume self, to: .dma)
        // SAFETY: the frame was owned (the consumed token proves it) and is now DMA memory for
        // good; the identity window maps it at its physical address.
        return unsafe DMABuffer(region: FrameTable.memory(at: address, size: FrameTable.frameSize), physicalAddress: address)
    }
}

/// A run of physically contiguous frames, owned, like ``Frame``.
///
/// Guarantees: as for ``Frame``, for every frame of the run.
public struct FrameRun: ~Copyable, Sendable {
    /// The first frame's physical address.
    public let address: PhysAddr
    /// How many frames.
    public let count: Int

    init(address: PhysAddr, count: Int) {
        self.address = address
        self.count = count
    }

    /// Bytes in the run.
    public var size: Int { count * FrameTable.frameSize }
}

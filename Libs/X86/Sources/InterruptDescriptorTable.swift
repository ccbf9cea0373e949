import X86Shim

/// The interrupt descriptor table (SDM Vol. 3A §6.10–6.14): 256 16-byte gates.
///
/// Guarantees: every gate points at X86's entry stub for its vector, which saves the full
/// register state and calls ``InterruptDispatch``; so an interrupt or exception on any
/// vector reaches Swift and, unless a handler is registered, produces a panic report.
public enum InterruptDescriptorTable {
    /// Number of vectors.
    public static let vectorCount = 256
    /// Bytes the table occupies.
    public static let size = vectorCount * 16

    /// The 16-byte interrupt gate for a handler at `handler`, using interrupt stack
    /// `interruptStack` (0 = none, 1...7 = TSS IST entry).
    public static func gate(handler: UInt64, interruptStack: UInt8) -> (low: UInt64, high: UInt64) {
        var low = handler & 0xFFFF
        low |= UInt64(SegmentSelector.kernelCode) << 16
        low |= UInt64(interruptStack & 0x7) << 32
        low |= UInt64(0x8E) << 40                      // present, DPL 0, 64-bit interrupt gate
        low |= ((handler >> 16) & 0xFFFF) << 48
        return (low, handler >> 32)
    }

    /// The address of X86's entry stub for `vector`.
    public static func stubAddress(vector: Int) -> UInt64 {
        #if hasFeature(Embedded)
        return x86_interrupt_stub_address(UInt32(vector))
        #else
        return 0x10_0000 + UInt64(vector) * 16
        #endif
    }

    /// Writes all 256 gates into `region`. Vectors listed in `interruptStacks` switch to the
    /// given IST entry (double fault, NMI and machine check run on their own stacks, so a
    /// kernel stack overflow still produces a report instead of a triple fault).
    public static func encode(into region: MemoryRegion, interruptStacks: [(vector: Int, stack: UInt8)]) {
        // Every gate on the interrupted stack, then the few that switch stacks (a boot-time
        // loop: one pass, no search per vector).
        for vector in 0..<vectorCount {
            let g = gate(handler: stubAddress(vector: vector), interruptStack: 0)
            region.store(g.low, at: vector * 16)
            region.store(g.high, at: vector * 16 + 8)
        }
        for entry in interruptStacks where entry.vector >= 0 && entry.vector < vectorCount {
            let g = gate(handler: stubAddress(vector: entry.vector), interruptStack: entry.stack)
            region.store(g.low, at: entry.vector * 16)
            region.store(g.high, at: entry.vector * 16 + 8)
        }
    }

    /// Loads the table in `region` (LIDT).
    ///
    /// The caller guarantees the region stays allocated and unchanged while it is loaded.
    @unsafe public static func load(_ region: MemoryRegion) {
        #if hasFeature(Embedded)
        // SAFETY: the caller keeps the table alive; every gate points at a valid stub.
        unsafe x86_lidt(region.base, UInt16(size - 1))
        #else
        BareMachine.unavailable("lidt")
        #endif
    }
}

/// Deliberate CPU exceptions, for testing the panic path.
///
/// Guarantees: each function raises its exception and never returns normally; none of them
/// touches memory that belongs to anyone.
public enum FaultInjection {
    /// An address the kernel never maps: the first byte above 512 GiB, past any identity map
    /// the kernel builds, in the lower canonical half.
    public static let unmappedAddress: UInt64 = 0x0000_0080_0000_0000

    /// Reads ``unmappedAddress``: a page fault (#PF) on a non-present page.
    public static func readUnmappedMemory() -> Never {
        #if hasFeature(Embedded)
        // SAFETY: the address is never mapped, so the load cannot observe or change any
        // memory; it raises #PF, whose handler does not return here.
        let value = unsafe UInt64.volatileLoad(unmappedAddress)
        Panic.halt("reading unmapped memory did not fault", decimal: value)
        #else
        BareMachine.unavailable("a page fault")
        #endif
    }
}

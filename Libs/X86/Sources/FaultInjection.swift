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

    /// Writes to the kernel's code the byte that is already there: a page fault (write to a
    /// read-only page) when the kernel's text is mapped read-only, as Paging maps it; a
    /// harmless no-op otherwise, so it can never corrupt code.
    public static func rewriteKernelText() {
        #if hasFeature(Embedded)
        let address = InterruptDescriptorTable.stubAddress(vector: 0)
        // SAFETY: the address is the first byte of the interrupt stubs, in the kernel's text;
        // the value stored is the value loaded, so memory is unchanged if the store succeeds.
        unsafe UInt8.volatileStore(address, UInt8.volatileLoad(address))
        #else
        BareMachine.unavailable("a write to kernel text")
        #endif
    }
}

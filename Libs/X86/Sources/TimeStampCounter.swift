import X86Shim

/// The time stamp counter (SDM Vol. 3B §18.17).
///
/// Under QEMU TCG with `-icount shift=0,sleep=off` it advances by exactly one per guest
/// instruction, which makes it the kernel's deterministic benchmark clock.
public enum TimeStampCounter {
    /// Reads the counter (RDTSC, not serialising).
    @inlinable public static func read() -> UInt64 {
        #if hasFeature(Embedded)
        return x86_rdtsc()
        #else
        BareMachine.unavailable("rdtsc")
        #endif
    }
}

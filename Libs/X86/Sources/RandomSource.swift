import X86Shim

/// The processor's random number generator.
public enum RandomSource {
    /// Whether RDRAND exists, asked once.
    static let available = CPUID.features().randomNumbers

    /// A random 64-bit value from RDRAND (retried a few times, as Intel advises), or nil when
    /// the processor has no RDRAND or it stayed empty. Nil on the host.
    public static func hardware() -> UInt64? {
        #if hasFeature(Embedded)
        guard available else { return nil }
        for _ in 0..<10 {
            var value: UInt64 = 0
            // SAFETY: `value` is a local the instruction writes once; the pointer does not escape.
            if unsafe x86_rdrand64(&value) != 0 { return value }
        }
        return nil
        #else
        return nil
        #endif
    }
}

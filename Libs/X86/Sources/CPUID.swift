import X86Shim

/// Processor identification through the CPUID instruction (SDM Vol. 2A, CPUID).
public struct CPUID: Sendable {
    /// The four registers CPUID returns.
    public let eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32

    /// Creates a result from its four registers (used by tests and by ``query(leaf:subleaf:)``).
    public init(eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
        self.eax = eax; self.ebx = ebx; self.ecx = ecx; self.edx = edx
    }

    /// Executes CPUID for `leaf` and `subleaf`.
    @inlinable public static func query(leaf: UInt32, subleaf: UInt32 = 0) -> CPUID {
        #if hasFeature(Embedded)
        let r = x86_cpuid(leaf, subleaf)
        return CPUID(eax: r.eax, ebx: r.ebx, ecx: r.ecx, edx: r.edx)
        #else
        BareMachine.unavailable("cpuid")
        #endif
    }

    /// The features the kernel cares about.
    public struct Features: Sendable {
        /// x2APIC mode (leaf 1 ECX bit 21).
        public let x2APIC: Bool
        /// TSC-deadline timer mode (leaf 1 ECX bit 24).
        public let tscDeadline: Bool
        /// 1 GiB pages (leaf 0x8000_0001 EDX bit 26).
        public let gigabytePages: Bool
        /// No-execute page protection (leaf 0x8000_0001 EDX bit 20).
        public let noExecute: Bool
        /// Invariant TSC (leaf 0x8000_0007 EDX bit 8).
        public let invariantTSC: Bool
        /// The RDRAND instruction (leaf 1 ECX bit 30).
        public let randomNumbers: Bool

        /// Decodes the feature bits from the raw leaves.
        public init(leaf1: CPUID, extended1: CPUID, extended7: CPUID) {
            x2APIC = leaf1.ecx & (1 << 21) != 0
            tscDeadline = leaf1.ecx & (1 << 24) != 0
            gigabytePages = extended1.edx & (1 << 26) != 0
            noExecute = extended1.edx & (1 << 20) != 0
            invariantTSC = extended7.edx & (1 << 8) != 0
            randomNumbers = leaf1.ecx & (1 << 30) != 0
        }
    }

    /// The running processor's features.
    public static func features() -> Features {
        let maxExtended = query(leaf: 0x8000_0000).eax
        let zero = CPUID(eax: 0, ebx: 0, ecx: 0, edx: 0)
        return Features(
            leaf1: query(leaf: 1),
            extended1: maxExtended >= 0x8000_0001 ? query(leaf: 0x8000_0001) : zero,
            extended7: maxExtended >= 0x8000_0007 ? query(leaf: 0x8000_0007) : zero)
    }

    /// The 12-character vendor string of leaf 0 registers, e.g. "GenuineIntel".
    public static func vendor(from leaf0: CPUID) -> String {
        var bytes: [UInt8] = []
        for word in [leaf0.ebx, leaf0.edx, leaf0.ecx] {
            for shift in stride(from: UInt32(0), to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> shift)) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

import X86Shim

/// A model-specific register (SDM Vol. 4).
///
/// Guarantees: ``read()`` is a single RDMSR. Writing can change paging, segment bases or
/// interrupt delivery, so ``write(_:)`` is `@unsafe`: only X86, Boot and typed wrappers
/// that validate the value (such as the local APIC driver's) may call it.
public struct ModelSpecificRegister: Sendable {
    /// The register's index (ECX for RDMSR/WRMSR).
    public let index: UInt32

    /// The register numbered `index`.
    @inlinable public init(_ index: UInt32) { self.index = index }

    /// IA32_APIC_BASE: local APIC base address and mode (SDM Vol. 3A §11.4.4).
    public static let apicBase = ModelSpecificRegister(0x1B)
    /// IA32_TSC_DEADLINE: the local APIC timer deadline (SDM Vol. 3A §11.5.4.1).
    public static let tscDeadline = ModelSpecificRegister(0x6E0)
    /// IA32_EFER: long mode, NX enable (SDM Vol. 3A §2.2.1).
    public static let extendedFeatureEnable = ModelSpecificRegister(0xC000_0080)
    /// IA32_FS_BASE.
    public static let fsBase = ModelSpecificRegister(0xC000_0100)
    /// IA32_GS_BASE.
    public static let gsBase = ModelSpecificRegister(0xC000_0101)

    /// Reads the register.
    @inlinable public func read() -> UInt64 {
        #if hasFeature(Embedded)
        return x86_rdmsr(index)
        #else
        BareMachine.unavailable("rdmsr")
        #endif
    }

    /// Writes the register. The caller guarantees the value keeps the machine in a state
    /// the kernel's memory-safety argument relies on.
    @unsafe @inlinable public func write(_ value: UInt64) {
        #if hasFeature(Embedded)
        x86_wrmsr(index, value)
        #else
        BareMachine.unavailable("wrmsr")
        #endif
    }
}

import X86Shim

/// The control registers CR0, CR2, CR3 and CR4 (SDM Vol. 3A §2.5).
///
/// Guarantees: reads are safe. Writes can turn paging or protection off, so they are
/// `@unsafe` and only X86 and Boot make them.
public enum ControlRegisters {
    /// CR0 bits used by the kernel.
    public struct CR0: OptionSet, Sendable {
        /// The raw bits (a plain value: no bit pattern is invalid).
        public let rawValue: UInt64
        /// The value with raw bits `rawValue` (any bits make a valid value).
        @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
        /// Protected mode enable.
        public static let protectionEnable = CR0(rawValue: 1 << 0)
        /// Monitor coprocessor: WAIT/FWAIT honour TS.
        public static let monitorCoprocessor = CR0(rawValue: 1 << 1)
        /// x87 emulation (must be clear for SSE).
        public static let emulation = CR0(rawValue: 1 << 2)
        /// Task switched: the next SSE/x87 instruction raises #NM.
        public static let taskSwitched = CR0(rawValue: 1 << 3)
        /// Supervisor writes honour read-only pages.
        public static let writeProtect = CR0(rawValue: 1 << 16)
        /// Paging enable.
        public static let paging = CR0(rawValue: 1 << 31)
    }

    /// CR4 bits used by the kernel.
    public struct CR4: OptionSet, Sendable {
        /// The raw bits (a plain value: no bit pattern is invalid).
        public let rawValue: UInt64
        /// The value with raw bits `rawValue` (any bits make a valid value).
        @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
        /// Physical address extension (required for long mode).
        public static let physicalAddressExtension = CR4(rawValue: 1 << 5)
        /// Page global enable.
        public static let pageGlobal = CR4(rawValue: 1 << 7)
        /// FXSAVE/FXRSTOR and SSE enabled by the OS.
        public static let osFXSR = CR4(rawValue: 1 << 9)
        /// Unmasked SSE exceptions reported as #XM.
        public static let osXMMExceptions = CR4(rawValue: 1 << 10)
        /// FSGSBASE instructions.
        public static let fsgsBase = CR4(rawValue: 1 << 16)
        /// XSAVE and extended states.
        public static let osXSAVE = CR4(rawValue: 1 << 18)
    }

    /// CR0.
    @inlinable public static var cr0: CR0 {
        #if hasFeature(Embedded)
        return CR0(rawValue: x86_read_cr0())
        #else
        BareMachine.unavailable("mov cr0")
        #endif
    }

    /// CR2: the linear address of the last page fault.
    @inlinable public static var cr2: UInt64 {
        #if hasFeature(Embedded)
        return x86_read_cr2()
        #else
        BareMachine.unavailable("mov cr2")
        #endif
    }

    /// CR3: the physical address of the active PML4 (low bits: PCID / flags).
    @inlinable public static var cr3: UInt64 {
        #if hasFeature(Embedded)
        return x86_read_cr3()
        #else
        BareMachine.unavailable("mov cr3")
        #endif
    }

    /// CR4.
    @inlinable public static var cr4: CR4 {
        #if hasFeature(Embedded)
        return CR4(rawValue: x86_read_cr4())
        #else
        BareMachine.unavailable("mov cr4")
        #endif
    }

    /// Loads CR3. The caller guarantees `value` names a PML4 that maps the running code,
    /// its stack and all memory Swift will touch.
    @unsafe @inlinable public static func writeCR3(_ value: UInt64) {
        #if hasFeature(Embedded)
        x86_write_cr3(value)
        #else
        BareMachine.unavailable("mov cr3")
        #endif
    }

    /// Loads CR0. The caller guarantees paging and protection stay consistent.
    @unsafe @inlinable public static func writeCR0(_ value: CR0) {
        #if hasFeature(Embedded)
        x86_write_cr0(value.rawValue)
        #else
        BareMachine.unavailable("mov cr0")
        #endif
    }

    /// Loads CR4. The caller guarantees paging and protection stay consistent.
    @unsafe @inlinable public static func writeCR4(_ value: CR4) {
        #if hasFeature(Embedded)
        x86_write_cr4(value.rawValue)
        #else
        BareMachine.unavailable("mov cr4")
        #endif
    }
}

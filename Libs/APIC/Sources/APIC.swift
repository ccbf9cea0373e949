/// # APIC: the local APIC, its timer, and interrupt vectors
///
/// What is in here: ``APICModule``, which switches the local APIC on in x2APIC mode, handles
/// spurious and error interrupts, and gives the scheduler a tickless ``WakeupTimer``
/// (TSC-deadline mode, or one-shot mode calibrated against the TSC where the CPU lacks it).
///
/// What is not in here: register-level access (X86's ``LocalAPIC``), and any `unsafe`.
public enum APIC {
    /// The interrupt vectors this module owns.
    public enum Vector {
        public static let timer: UInt8 = 0x20
        /// A processor asks another to look at its run queue.
        public static let wakeUp: UInt8 = 0x21
        public static let error: UInt8 = 0xFE
        public static let spurious: UInt8 = 0xFF
    }
}

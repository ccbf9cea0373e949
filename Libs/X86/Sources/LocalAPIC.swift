/// The local APIC (Intel SDM Vol. 3A §11), in x2APIC mode through model-specific registers
/// or in xAPIC mode through its memory-mapped page.
///
/// Guarantees: every operation writes one architecturally defined register with a value
/// whose reserved bits are clear, through MSRs or a bounds-checked ``MMIOWindow`` over the
/// APIC's page that never leaves X86. None of them can make the processor touch memory;
/// interrupts they raise use vectors of 32 and above (an exception vector's entry stub expects
/// the frame the processor pushes for that exception), and INIT/STARTUP stay `@unsafe`; so
/// they are safe. An interrupt on a vector without a handler is a panic report.
public struct LocalAPIC: Sendable {
    /// How the registers are reached.
    public enum Access: Sendable {
        /// x2APIC: register at xAPIC offset o is MSR 0x800 + o / 16 (SDM Table 11-6).
        case x2APIC
        /// xAPIC: 32-bit registers in the 4 KiB page at the APIC base, which must be mapped
        /// uncached at its own address (``registerPage``). The window over it stays inside
        /// X86: raw writes to its command register would start processors anywhere.
        case xAPIC
    }

    /// The physical address of the xAPIC register page, to be mapped uncached before
    /// ``Access/xAPIC`` is used.
    public static var registerPage: PhysAddr { basePhysicalAddress }

    /// The xAPIC register page as a window.
    static var window: MMIOWindow {
        // SAFETY: IA32_APIC_BASE names the local APIC's register page; nothing else lives
        // there, and the window only allows aligned register accesses inside it.
        unsafe MMIOWindow(unsafeBase: basePhysicalAddress.value, size: 4096)
    }

    /// The access method in use.
    public let access: Access

    // Register offsets in the xAPIC page (SDM Table 11-1).
    static let idOffset = 0x20
    static let endOfInterruptOffset = 0xB0
    static let spuriousOffset = 0xF0
    static let errorStatusOffset = 0x280
    static let timerVectorOffset = 0x320
    static let errorVectorOffset = 0x370
    static let timerInitialCountOffset = 0x380
    static let timerCurrentCountOffset = 0x390
    static let timerDivideOffset = 0x3E0

    /// IA32_APIC_BASE bits: global enable (11) and x2APIC mode (10); base address 51:12.
    static let globalEnable: UInt64 = 1 << 11
    static let x2APICEnable: UInt64 = 1 << 10

    /// The physical address of the xAPIC page, from IA32_APIC_BASE.
    public static var basePhysicalAddress: PhysAddr {
        PhysAddr(ModelSpecificRegister.apicBase.read() & 0x000F_FFFF_FFFF_F000)
    }

    /// Whether the processor has x2APIC mode.
    public static var isX2APICSupported: Bool { CPUID.features().x2APIC }

    /// How the timer counts.
    public enum TimerMode: UInt32, Sendable {
        /// Counts down once from the initial count.
        case oneShot = 0
        /// Fires when the TSC reaches IA32_TSC_DEADLINE.
        case tscDeadline = 2
    }

    /// Switches the local APIC on: in x2APIC mode when `access` is `.x2APIC`, otherwise in
    /// xAPIC mode through the window.
    public init(access: Access) {
        self.access = access
        let base = ModelSpecificRegister.apicBase.read()
        switch access {
        case .x2APIC:
            // SAFETY: setting the enable bits of IA32_APIC_BASE keeps the base address.
            unsafe ModelSpecificRegister.apicBase.write(base | LocalAPIC.globalEnable | LocalAPIC.x2APICEnable)
        case .xAPIC:
            // SAFETY: as above, without x2APIC mode.
            unsafe ModelSpecificRegister.apicBase.write(base | LocalAPIC.globalEnable)
        }
    }

    func read(_ offset: Int) -> UInt32 {
        switch access {
        case .x2APIC: UInt32(truncatingIfNeeded: ModelSpecificRegister(0x800 + UInt32(offset >> 4)).read())
        case .xAPIC: LocalAPIC.window.read(UInt32.self, at: offset)
        }
    }

    func write(_ offset: Int, _ value: UInt32) {
        switch access {
        case .x2APIC:
            // SAFETY: callers pass architecturally valid values for the register.
            unsafe ModelSpecificRegister(0x800 + UInt32(offset >> 4)).write(UInt64(value))
        case .xAPIC:
            LocalAPIC.window.write(value, at: offset)
        }
    }

    /// Sets the spurious-interrupt vector and software-enables the APIC (bit 8).
    public func enable(spuriousVector vector: UInt8) {
        precondition(vector >= 32, "an APIC interrupt on an exception vector")
        write(LocalAPIC.spuriousOffset, UInt32(vector) | 1 << 8)
    }

    /// This processor's APIC ID.
    public var id: UInt32 {
        switch access {
        case .x2APIC: read(LocalAPIC.idOffset)
        case .xAPIC: read(LocalAPIC.idOffset) >> 24
        }
    }

    /// Signals the end of the interrupt being handled.
    @inline(__always) public func signalEndOfInterrupt() { write(LocalAPIC.endOfInterruptOffset, 0) }

    /// Routes APIC errors to `vector`.
    public func setErrorVector(_ vector: UInt8) {
        precondition(vector >= 32, "an APIC interrupt on an exception vector")
        write(LocalAPIC.errorVectorOffset, UInt32(vector))
    }

    /// Reads and clears the error status (writing ESR latches it, SDM §11.5.3).
    public func readErrorStatus() -> UInt32 {
        write(LocalAPIC.errorStatusOffset, 0)
        return read(LocalAPIC.errorStatusOffset)
    }

    /// Programs the timer's vector and mode (unmasked), dividing by 1.
    public func configureTimer(vector: UInt8, mode: TimerMode) {
        precondition(vector >= 32, "an APIC interrupt on an exception vector")
        write(LocalAPIC.timerDivideOffset, 0b1011)
        write(LocalAPIC.timerVectorOffset, UInt32(vector) | mode.rawValue << 17)
    }

    /// Arms the TSC-deadline timer to fire when the TSC reaches `deadline`; 0 disarms it.
    @inline(__always) public func setDeadline(_ deadline: UInt64) {
        // SAFETY: any 64-bit value is a valid deadline (0 disarms).
        unsafe ModelSpecificRegister.tscDeadline.write(deadline)
    }

    /// Starts the one-shot timer counting down from `count` (0 stops it).
    public func startCountdown(_ count: UInt32) { write(LocalAPIC.timerInitialCountOffset, count) }

    /// The one-shot timer's current count.
    public var countdown: UInt32 { read(LocalAPIC.timerCurrentCountOffset) }

    static let commandLowOffset = 0x300
    static let commandHighOffset = 0x310

    /// Sends an inter-processor interrupt with command bits `command` (vector, delivery mode,
    /// level) to the processor with `apicID` (SDM §11.6.1), waiting until it has been sent.
    /// Internal: INIT and STARTUP reset a processor and start it at any page.
    func sendInterprocessorInterrupt(to apicID: UInt32, command: UInt32) {
        switch access {
        case .x2APIC:
            // SAFETY: the x2APIC ICR takes the destination in bits 63:32 and the command below.
            unsafe ModelSpecificRegister(0x830).write(UInt64(apicID) << 32 | UInt64(command))
        case .xAPIC:
            write(LocalAPIC.commandHighOffset, apicID << 24)
            write(LocalAPIC.commandLowOffset, command)
            while read(LocalAPIC.commandLowOffset) & (1 << 12) != 0 { Processor.pause() }
        }
    }

    /// Sends a fixed interrupt on `vector` (32 or above: an exception vector's entry stub
    /// expects what the processor pushes for that exception) to `apicID`.
    public func sendInterrupt(vector: UInt8, to apicID: UInt32) {
        precondition(vector >= 32, "a fixed interrupt on an exception vector")
        sendInterprocessorInterrupt(to: apicID, command: UInt32(vector) | 1 << 14)
    }

    /// The access mode the local APIC is in now (IA32_APIC_BASE bit 10).
    public static var currentAccess: Access {
        ModelSpecificRegister.apicBase.read() & x2APICEnable != 0 ? .x2APIC : .xAPIC
    }

    /// Sends a fixed interrupt on `vector` (32 or above) to every other processor (destination
    /// shorthand "all excluding self", SDM §11.6.1), in whichever mode the APIC is.
    public static func sendToAllOthers(vector: UInt8) {
        precondition(vector >= 32, "a fixed interrupt on an exception vector")
        let command = UInt32(vector) | 1 << 14 | 3 << 18
        switch currentAccess {
        case .x2APIC:
            // SAFETY: a fixed, edge-triggered interrupt to all other processors: no INIT/STARTUP.
            unsafe ModelSpecificRegister(0x830).write(UInt64(command))
        case .xAPIC:
            window.write(UInt32(0), at: commandHighOffset)
            window.write(command, at: commandLowOffset)
            while window.read(UInt32.self, at: commandLowOffset) & (1 << 12) != 0 { Processor.pause() }
        }
    }

    /// Signals the end of the interrupt being handled, in whichever mode the APIC is.
    public static func signalEndOfInterruptNow() {
        switch currentAccess {
        case .x2APIC:
            // SAFETY: writing 0 to the EOI register only ends the interrupt in service.
            unsafe ModelSpecificRegister(0x80B).write(0)
        case .xAPIC:
            window.write(UInt32(0), at: endOfInterruptOffset)
        }
    }

    /// INIT, then two STARTUP IPIs whose vector names the 4 KiB page the processor starts
    /// at (SDM §9.4.4.1), with the waits the manual asks for. The caller (Boot) promises the
    /// page holds the start-up trampoline prepared for this processor.
    @unsafe public func startProcessor(apicID: UInt32, startPage: UInt8, ticksPerMicrosecond: UInt64) {
        func wait(microseconds: UInt64) {
            let end = TimeStampCounter.read() &+ microseconds &* ticksPerMicrosecond
            while TimeStampCounter.read() < end { Processor.pause() }
        }
        sendInterprocessorInterrupt(to: apicID, command: 0x4500)              // INIT, level assert
        wait(microseconds: 10_000)
        for _ in 0..<2 {
            sendInterprocessorInterrupt(to: apicID, command: 0x4600 | UInt32(startPage))   // STARTUP
            wait(microseconds: 200)
        }
    }
}

/// The two legacy 8259 interrupt controllers, which the kernel keeps masked: with the local
/// APIC in charge, their IRQ 0 would otherwise arrive as vector 8, a "double fault".
public enum LegacyPIC {
    /// Masks every line of both controllers.
    public static func maskAll() {
        // SAFETY: the two PICs' interrupt mask registers; masking lines touches no memory.
        unsafe Port<UInt8>(0x21).write(0xFF)
        unsafe Port<UInt8>(0xA1).write(0xFF)
    }
}

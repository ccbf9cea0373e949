import X86Shim
import Synchronization

/// The running processor: its interrupt flag, halting and spinning.
public enum Processor {
    /// Whether maskable interrupts are enabled.
    @inlinable public static var interruptsEnabled: Bool {
        #if hasFeature(Embedded)
        return x86_read_rflags() & (1 << 9) != 0
        #else
        return false
        #endif
    }

    /// Enables maskable interrupts (STI).
    @inlinable public static func enableInterrupts() {
        #if hasFeature(Embedded)
        x86_sti()
        #endif
    }

    /// Disables maskable interrupts (CLI).
    @inlinable public static func disableInterrupts() {
        #if hasFeature(Embedded)
        x86_cli()
        #endif
    }

    /// Runs `body` with interrupts disabled and restores the previous state afterwards.
    @inlinable public static func withInterruptsDisabled<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let wereEnabled = interruptsEnabled
        if wereEnabled { disableInterrupts() }
        defer { if wereEnabled { enableInterrupts() } }
        return try body()
    }

    /// Waits for the next interrupt (HLT).
    @inlinable public static func halt() {
        #if hasFeature(Embedded)
        x86_hlt()
        #else
        BareMachine.unavailable("hlt")
        #endif
    }

    /// Enables interrupts and waits for the next one, atomically (STI; HLT).
    @inlinable public static func enableInterruptsAndHalt() {
        #if hasFeature(Embedded)
        x86_sti_hlt()
        #else
        BareMachine.unavailable("sti; hlt")
        #endif
    }

    /// Stops this processor for good: interrupts off, halted.
    public static func stop() -> Never {
        while true {
            disableInterrupts()
            halt()
        }
    }

    /// A spin-wait hint (PAUSE).
    @inlinable public static func pause() {
        #if hasFeature(Embedded)
        x86_pause()
        #endif
    }

    /// The current frame pointer (RBP), the start of a backtrace.
    @inlinable public static var framePointer: UInt64 {
        #if hasFeature(Embedded)
        return x86_read_rbp()
        #else
        return 0
        #endif
    }

    /// The current stack pointer (RSP).
    @inlinable public static var stackPointer: UInt64 {
        #if hasFeature(Embedded)
        return x86_read_rsp()
        #else
        return 0
        #endif
    }

    /// This processor's index (0 for the boot processor): one GS-relative load.
    @inlinable public static var index: Int {
        #if hasFeature(Embedded)
        return Int(x86_read_gs0())
        #else
        return 0
        #endif
    }

    /// A word private to the running processor that the scheduler sets on every switch (the
    /// running thread's identity), so reading it is one GS-relative load with no lock. On the
    /// host (unit tests) it is one process-wide word.
    @inlinable public static var threadWord: UInt64 {
        get {
            #if hasFeature(Embedded)
            return x86_read_gs8()
            #else
            return hostThreadWord.load(ordering: .relaxed)
            #endif
        }
        set {
            #if hasFeature(Embedded)
            x86_write_gs8(newValue)
            #else
            hostThreadWord.store(newValue, ordering: .relaxed)
            #endif
        }
    }

    #if !hasFeature(Embedded)
    @usableFromInline static let hostThreadWord = Atomic<UInt64>(0)
    #endif

    /// The most processors the kernel can index.
    public static let maximumCount = 256

    /// Records `index` as this processor's index: stores it in the processor's slot and
    /// points IA32_GS_BASE at that slot. The caller (Boot, once per processor as it comes up)
    /// guarantees no other processor uses `index`: two processors sharing a slot would share
    /// the scheduler's per-processor state.
    @unsafe public static func setIndex(_ index: Int) {
        precondition(index >= 0 && index < maximumCount, "processor index out of range")
        #if hasFeature(Embedded)
        let slot = x86_processor_slot_address(UInt32(index))
        // SAFETY: `slot` is this processor's own 32-byte entry in x86_processor_slots (bounds
        // checked above); the kernel uses GS for nothing else.
        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot)).unsafelyUnwrapped.pointee = UInt64(index)
        unsafe ModelSpecificRegister.gsBase.write(slot)
        #endif
    }

    /// Invalidates the TLB entry for the page containing `address` (INVLPG).
    @inlinable public static func invalidatePage(_ address: VirtAddr) {
        #if hasFeature(Embedded)
        x86_invlpg(address.value)
        #endif
    }
}

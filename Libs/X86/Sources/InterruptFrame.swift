/// The machine state saved on entry to an interrupt or exception, as X86's entry stub lays
/// it out (interrupts.S), lowest address first.
///
/// Guarantees: the layout matches the stub exactly (176 bytes). Handlers receive a copy:
/// changing it changes nothing about the interrupted code (see ``InterruptDispatch``).
public struct InterruptFrame: BitwiseCopyable, Sendable {
    /// Saved registers: a handler's copy; changing it changes nothing.
    public var r15: UInt64, r14: UInt64, r13: UInt64, r12: UInt64
    /// Saved registers: a handler's copy; changing it changes nothing.
    public var r11: UInt64, r10: UInt64, r9: UInt64, r8: UInt64
    /// Saved registers: a handler's copy; changing it changes nothing.
    public var rbp: UInt64, rdi: UInt64, rsi: UInt64, rdx: UInt64
    /// Saved registers: a handler's copy; changing it changes nothing.
    public var rcx: UInt64, rbx: UInt64, rax: UInt64
    /// The interrupt vector (0...255).
    public var vector: UInt64
    /// The error code the CPU pushed, or 0 for vectors without one.
    public var errorCode: UInt64
    /// Where the interrupted code resumes.
    public var rip: UInt64
    /// Saved registers: a handler's copy; changing it changes nothing.
    public var cs: UInt64
    /// Saved registers: a handler's copy; changing it changes nothing.
    public var rflags: UInt64
    /// The interrupted code's stack pointer.
    public var rsp: UInt64
    /// Saved registers: a handler's copy; changing it changes nothing.
    public var ss: UInt64

    /// The size of the saved frame in bytes.
    public static let size = 176

    /// A frame with every register zero (for tests).
    public init() {
        r15 = 0; r14 = 0; r13 = 0; r12 = 0; r11 = 0; r10 = 0; r9 = 0; r8 = 0
        rbp = 0; rdi = 0; rsi = 0; rdx = 0; rcx = 0; rbx = 0; rax = 0
        vector = 0; errorCode = 0; rip = 0; cs = 0; rflags = 0; rsp = 0; ss = 0
    }

    /// Calls `body` with the index, name and value of each general register, in the order a
    /// panic report prints them, without allocating.
    public func forEachGeneralRegister(_ body: (Int, StaticString, UInt64) -> Void) {
        body(0, "rax", rax); body(1, "rbx", rbx); body(2, "rcx", rcx); body(3, "rdx", rdx)
        body(4, "rsi", rsi); body(5, "rdi", rdi); body(6, "rbp", rbp); body(7, "rsp", rsp)
        body(8, "r8 ", r8); body(9, "r9 ", r9); body(10, "r10", r10); body(11, "r11", r11)
        body(12, "r12", r12); body(13, "r13", r13); body(14, "r14", r14); body(15, "r15", r15)
    }
}

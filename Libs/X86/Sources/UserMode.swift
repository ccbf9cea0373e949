import Synchronization
import X86Shim

/// A program's registers as ring 3 sees them: what a system call receives and what the
/// program resumes with.
///
/// Guarantees: whatever a handler stores here, the program resumes in ring 3 — ``sanitized``
/// (applied by X86 before every return) forces the ring-3 code and stack selectors, keeps
/// only the flags a program may set itself (interrupts always on, I/O privilege 0, no nested
/// task), and replaces an instruction or stack pointer outside the lower half with 0, so the
/// return can neither fault in the kernel nor resume anywhere but in the program's pages.
public struct UserRegisters: BitwiseCopyable, Sendable {
    /// The registers, laid out as an interrupt frame (``InterruptFrame``).
    public var frame: InterruptFrame

    /// The flags a program may change itself: CF PF AF ZF SF TF DF OF AC ID.
    public static let programFlags: UInt64 = 0x0024_0DD5
    /// Where the lower half of the address space ends.
    public static let lowerHalfEnd: UInt64 = 0x0000_8000_0000_0000

    /// Registers all zero, starting at `entry` with the stack pointer `stack`.
    public init(entry: UInt64, stack: UInt64) {
        frame = InterruptFrame()
        frame.rip = entry
        frame.rsp = stack
        frame = UserRegisters(frame: frame).sanitized.frame
    }

    /// The registers saved in `frame`.
    public init(frame: InterruptFrame) { self.frame = frame }

    /// The registers as X86 resumes them.
    public var sanitized: UserRegisters {
        var copy = frame
        copy.cs = UInt64(SegmentSelector.userCode)
        copy.ss = UInt64(SegmentSelector.userData)
        copy.rflags = (copy.rflags & UserRegisters.programFlags) | 0x202
        if copy.rip >= UserRegisters.lowerHalfEnd { copy.rip = 0 }
        if copy.rsp >= UserRegisters.lowerHalfEnd { copy.rsp = 0 }
        return UserRegisters(frame: copy)
    }

    /// The six system-call arguments as SYSCALL left them: RDI, RSI, RDX, R10, R8, R9.
    public var arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
        (frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9)
    }
}

/// The registers of a program's system call, in place on the thread's kernel stack: what a
/// handler reads its arguments from and writes its result to, without copying the frame.
///
/// Guarantees: only X86's SYSCALL path makes one, for the frame it just pushed, and hands it
/// to the handler `inout`; it cannot be copied, and no one else can make one, so it cannot
/// outlive the call or name any other memory. Every write keeps the frame resumable in ring 3
/// (the same rules as ``UserRegisters/sanitized``): the instruction and stack pointers only
/// take lower-half addresses (others become 0), the flags only what a program may set.
public struct SystemCallFrame: ~Copyable {
    @usableFromInline let address: UInt64

    init(address: UInt64) { self.address = address }

    @inlinable @inline(__always) func load(_ offset: UInt64) -> UInt64 {
        #if hasFeature(Embedded)
        // SAFETY: `address` is the 176-byte frame the stub pushed, alive during the call;
        // `offset` is one of the frame's own fields (below 176).
        return unsafe UnsafeRawPointer(bitPattern: UInt(address &+ offset)).unsafelyUnwrapped.load(as: UInt64.self)
        #else
        return 0
        #endif
    }

    @inlinable @inline(__always) func store(_ value: UInt64, _ offset: UInt64) {
        #if hasFeature(Embedded)
        // SAFETY: as in load.
        unsafe UnsafeMutableRawPointer(bitPattern: UInt(address &+ offset)).unsafelyUnwrapped.storeBytes(of: value, as: UInt64.self)
        #endif
    }

    /// The system call number (RAX at SYSCALL).
    @inlinable public var number: UInt64 { load(112) }
    /// The six arguments: RDI, RSI, RDX, R10, R8, R9.
    @inlinable public var arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) { (load(72), load(80), load(88), load(40), load(56), load(48)) }
    /// Sets the result (RAX).
    @inlinable public func setResult(_ value: Int64) { store(UInt64(bitPattern: value), 112) }
    /// A copy of every register (what a new thread made by `clone` starts from).
    public var registers: UserRegisters {
        var frame = InterruptFrame()
        #if hasFeature(Embedded)
        // SAFETY: as in load: the 176 bytes of the frame.
        frame = unsafe UnsafeRawPointer(bitPattern: UInt(address)).unsafelyUnwrapped.load(as: InterruptFrame.self)
        #endif
        return UserRegisters(frame: frame)
    }
}

/// Ring 3: running unmodified programs on their own pages, and the ways back into the kernel.
///
/// Guarantees (why entering a program is sound for any safe caller): the program runs at
/// CPL 3, where it can reach only pages the fence mapped with the user bit — and the fence
/// maps only frames it gave to the program's address space, never a frame that Swift code or
/// a device owns — cannot execute privileged instructions, and cannot reach I/O ports (IOPL 0,
/// no I/O bitmap). Every entry into the kernel (SYSCALL, interrupts, exceptions) switches to
/// the running thread's kernel stack before pushing anything and swaps GS, so the program's
/// red zone and registers are never the kernel's and nothing it leaves in GS reaches the
/// kernel. A system call handler and the fault handler are installed once. The FS base is
/// the program's alone (the kernel never addresses through FS).
public enum UserMode {
    /// Handles a system call: reads the arguments from the frame and writes the result.
    /// Runs on the calling thread's kernel stack with interrupts enabled.
    public typealias SystemCallHandler = @Sendable (inout SystemCallFrame) -> Void
    /// Ends a program that took an exception in ring 3 (or a page fault the pager could not
    /// serve). Runs with interrupts off on the thread's kernel stack; `reason` names it.
    public typealias FaultHandler = @Sendable (InterruptFrame, StaticString) -> Never

    static let systemCallHandlerSet = Atomic<Bool>(false)
    static let faultHandlerSet = Atomic<Bool>(false)
    // SAFETY: each is written once, guarded by its flag, before any program runs (the Linux
    // layer's start-up); read-only afterwards.
    nonisolated(unsafe) static var faultHandler: FaultHandler? = nil
    /// The address of the system call handler's slot, 0 until one is installed: an atomic
    /// with a constant initial value, so the read on every call is one acquiring load (no
    /// lazy global's `swift_once`, no `swift_beginAccess`).
    static let systemCallSlotAddress = Atomic<UInt>(0)

    /// Installs the system call handler, once: false (installing nothing) afterwards.
    @discardableResult
    public static func setSystemCallHandler(_ handler: @escaping SystemCallHandler) -> Bool {
        guard !systemCallHandlerSet.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        // SAFETY: a slot allocated here, initialized before it is published (a releasing
        // store), never freed and never written again.
        let slot = UnsafeMutablePointer<SystemCallHandler?>.allocate(capacity: 1)
        unsafe slot.initialize(to: handler)
        systemCallSlotAddress.store(UInt(bitPattern: slot), ordering: .releasing)
        return true
    }

    /// Installs the fault handler, once: false (installing nothing) afterwards.
    @discardableResult
    public static func setFaultHandler(_ handler: @escaping FaultHandler) -> Bool {
        guard !faultHandlerSet.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        unsafe faultHandler = handler
        return true
    }

    /// Ends the program whose exception `frame` records (it came from ring 3): the fault
    /// handler's report, or a panic when none is installed.
    public static func fault(_ frame: InterruptFrame, reason: StaticString) -> Never {
        precondition(frame.cs & 3 == 3, "a kernel fault reported as a program's")
        if let handler = unsafe faultHandler { handler(frame, reason) }
        Panic.exception(frame, reason: reason)
    }

    /// IA32_STAR: SYSCALL loads CS 0x08 and SS 0x10; SYSRET (unused: returns go through
    /// iretq) would load from base 0x20.
    static let star: UInt64 = (0x20 << 48) | (0x08 << 32)
    /// IA32_FMASK: SYSCALL clears TF, IF, DF, IOPL, NT and AC.
    static let flagMask: UInt64 = 0x0004_7700

    /// Readies the running processor for ring 3: records its TSS (whose RSP0 entries from
    /// ring 3 use) in its slot and turns SYSCALL on (EFER.SCE, STAR, LSTAR, FMASK).
    ///
    /// The caller (Boot, on each processor after loading its GDT and TSS) guarantees
    /// `taskState` is the TSS loaded on this processor and stays allocated for good.
    @unsafe public static func prepareProcessor(taskState: MemoryRegion) {
        #if hasFeature(Embedded)
        let slot = x86_processor_slot_address(UInt32(Processor.index))
        // SAFETY: word 6 of this processor's own slot.
        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot + 48)).unsafelyUnwrapped.pointee = taskState.base
        // SAFETY: SYSCALL enters at X86's own stub with kernel selectors and interrupts off.
        unsafe ModelSpecificRegister.extendedFeatureEnable.write(ModelSpecificRegister.extendedFeatureEnable.read() | 1)
        unsafe ModelSpecificRegister(0xC000_0081).write(star)
        unsafe ModelSpecificRegister(0xC000_0082).write(x86_system_call_entry_address())
        unsafe ModelSpecificRegister(0xC000_0084).write(flagMask)
        enableExtendedState()
        #endif
    }

    /// The extended state the kernel saves for programs: x87, SSE and AVX (XCR0 bits 0–2).
    static let extendedStateMask: UInt64 = 0x7

    /// Turns XSAVE on for x87, SSE and AVX on this processor (CR4.OSXSAVE, XCR0) when it has
    /// XSAVE and AVX, so programs see AVX as usable (glibc then picks its AVX2 functions) and
    /// the entry stubs save the whole state with XSAVE; otherwise FXSAVE stays. Every
    /// processor calls it (through ``prepareProcessor(taskState:)``) before it takes an
    /// interrupt; the stubs switch to XSAVE once the boot processor has turned it on, before
    /// any other processor starts.
    static func enableExtendedState() {
        #if hasFeature(Embedded)
        let features = CPUID.query(leaf: 1)
        let xsave: UInt32 = 1 << 26, avx: UInt32 = 1 << 28
        guard features.ecx & xsave != 0, features.ecx & avx != 0 else { return }
        let area = CPUID.query(leaf: 0xD, subleaf: 0)
        guard area.ebx <= 1024 - 64 else { return }   // the stubs' area (the size for XCR0's features)
        // OSXSAVE only allows XSAVE, XGETBV and AVX instructions; no memory changes.
        x86_write_cr4(x86_read_cr4() | (1 << 18))
        x86_xsetbv(0, extendedStateMask)
        // SAFETY: a 32-bit word of X86's own data, read by the stubs; set before this
        // processor (and, on the boot processor, any other) takes an interrupt.
        unsafe UnsafeMutablePointer<UInt32>(bitPattern: UInt(x86_extended_state_mask_address())).unsafelyUnwrapped.pointee = UInt32(extendedStateMask)
        #endif
    }

    /// Runs the program in ring 3 with `registers` and FS base `fsBase`, on the running
    /// thread `context`, whose stack from here up is never returned to (its kernel stack for
    /// entries from ring 3 starts here). Panics when `context` is not the running one, or the
    /// processor was not prepared for ring 3.
    public static func enter(_ registers: UserRegisters, fsBase: UInt64, on context: ExecutionContext) -> Never {
        #if hasFeature(Embedded)
        let here = Processor.stackPointer
        precondition(context.isRunning && here >= context.stackBase && here < context.stackEnd,
                     "entering ring 3 on a context that is not the running one")
        guard x86_read_gs48() != 0 else { Panic.halt("ring 3: this processor was not prepared (UserMode.prepareProcessor)") }
        Processor.disableInterrupts()
        let slot = context.slotAddress
        let base = fsBase < UserRegisters.lowerHalfEnd ? fsBase : 0
        // SAFETY: word 3 of the running context's own reserved top.
        unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot + 24)).unsafelyUnwrapped.pointee = base
        // SAFETY: the kernel never addresses through FS.
        unsafe ModelSpecificRegister.fsBase.write(base)
        var frame = registers.sanitized.frame
        // SAFETY: the stub copies the 176 bytes of `frame` (alive: this function never
        // returns) and records its stack top in the running context's reserved top.
        unsafe withUnsafeBytes(of: &frame) { bytes in
            unsafe x86_enter_user(bytes.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt64.self), slot)
        }
        #else
        _ = (registers, fsBase, context)
        BareMachine.unavailable("ring 3")
        #endif
    }

    /// Sets the running program thread's FS base (ARCH_SET_FS): false when the running thread
    /// runs no program or `value` lies outside the lower half.
    public static func setFSBase(_ value: UInt64) -> Bool {
        #if hasFeature(Embedded)
        guard value < UserRegisters.lowerHalfEnd else { return false }
        return Processor.withInterruptsDisabled {
            let slot = x86_read_gs56()
            guard slot != 0 else { return false }
            // SAFETY: GS:56 names the running context's reserved top (kept by `install`).
            unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot + 24)).unsafelyUnwrapped.pointee = value
            // SAFETY: the kernel never addresses through FS.
            unsafe ModelSpecificRegister.fsBase.write(value)
            return true
        }
        #else
        _ = value
        return false
        #endif
    }

    /// The running program thread's FS base (0 when the thread runs no program).
    public static var fsBase: UInt64 {
        #if hasFeature(Embedded)
        return Processor.withInterruptsDisabled { x86_read_gs56() == 0 ? 0 : ModelSpecificRegister.fsBase.read() }
        #else
        return 0
        #endif
    }

    /// Makes the context about to run the processor's current one for ring 3: its kernel
    /// stack top (GS:32, TSS.RSP0), its slot (GS:56) and its FS base; GS:56 = 0 for a thread
    /// that runs no program.
    static func install(_ next: ExecutionContext) { install(slotAddress: next.slotAddress) }

    static func install(slotAddress slot: UInt64) {
        #if hasFeature(Embedded)
        // SAFETY: words 2 and 3 of the next context's reserved top, which X86 alone writes.
        let top = unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot + 16)).unsafelyUnwrapped.pointee
        guard top != 0 else {
            if x86_read_gs56() != 0 { x86_write_gs56(0) }
            return
        }
        let fs = unsafe UnsafeMutablePointer<UInt64>(bitPattern: UInt(slot + 24)).unsafelyUnwrapped.pointee
        x86_write_gs32(top)
        // SAFETY: GS:48 is this processor's TSS (prepareProcessor), RSP0 at offset 4.
        unsafe UnsafeMutableRawPointer(bitPattern: UInt(x86_read_gs48() + 4)).unsafelyUnwrapped.storeBytes(of: top, as: UInt64.self)
        x86_write_gs56(slot)
        // SAFETY: the kernel never addresses through FS.
        unsafe ModelSpecificRegister.fsBase.write(fs)
        #endif
    }
}

#if hasFeature(Embedded)
/// The C entry point the SYSCALL stub calls with the program's saved frame.
@_cdecl("hermit_system_call_dispatch")
func hermitSystemCallDispatch(_ frame: UnsafeMutableRawPointer) {
    // SAFETY: the stub passes the 176-byte frame it pushed on this thread's kernel stack; it
    // stays valid until this function returns. The view writes only RAX; the rest of the frame
    // is the program's own, as SYSCALL saved it.
    var view = SystemCallFrame(address: UInt64(UInt(bitPattern: frame)))
    // SAFETY: a nonzero address is the slot setSystemCallHandler initialized before its
    // releasing store, which this acquiring load sees; the slot is never written again.
    let address = UserMode.systemCallSlotAddress.load(ordering: .acquiring)
    if let slot = unsafe UnsafeMutablePointer<UserMode.SystemCallHandler?>(bitPattern: address), let handler = unsafe slot.pointee {
        handler(&view)
    } else {
        view.setResult(-38)   // ENOSYS
    }
}
#endif

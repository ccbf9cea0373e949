/// # X86: typed access to the machine
///
/// What is in here: the only Swift code of the kernel (with Boot) that may use `unsafe`.
/// It wraps each x86_64 instruction and hardware structure the kernel needs in a typed,
/// documented Swift API — I/O ports, model-specific and control registers, CPUID, the time
/// stamp counter, the interrupt flag, descriptor tables, interrupt frames and dispatch,
/// memory-mapped registers, the COM1 serial console, QEMU's debug-exit device — and offers
/// ``MemoryRegion``, a bounds-checked view of memory that only trusted code (Boot) can mint.
///
/// What is not in here: policy. Allocation, paging, scheduling and drivers live in their own
/// modules, which contain no `unsafe` and reach the machine only through these types.
///
/// The rule (FENCE.md): every public declaration here is either sound for any safe caller —
/// its doc comment says why no sequence of safe calls can break memory safety — or `@unsafe`.
/// Every `unsafe` expression in this module carries a `// SAFETY:` comment saying why it is
/// sound. Host builds compile the same types; instructions that only make sense on the
/// bare machine trap with a clear message when called on the host.
public enum X86 {}

/// # Boot: from the VMM's hand-off to the application's `main`
///
/// What is in here: the PVH entry (assembly in BootEntry), the C symbols the Embedded Swift
/// runtime links against (`posix_memalign`, `free`, `putchar`; `memset`, `memcpy`,
/// `memmove`, `memcmp` in assembly), parsing of `hvm_start_info` into a safe ``BootInfo``,
/// the early bump heap, the kernel's descriptor tables, and ``Kernel``, which the generated
/// composition root of each image calls. Boot is the trusted code that mints the
/// ``MemoryRegion`` capabilities other modules are handed, as a Tock board's `main.rs` does.
///
/// Boot also holds the mechanism the rest of the kernel must not have: the frame table and its
/// `Frame` tokens, the kernel's page table (`KernelPages`) and TLB shootdowns, the runtime
/// allocator's check on the heap policy, the stack pool, device windows and the typed writers
/// for what devices read addresses from (virtqueue descriptors, queue-address registers, MSI-X
/// tables), and processor start-up. Every public declaration is sound for any safe caller or
/// `@unsafe` (FENCE.md).
///
/// What is not in here: frame-allocation and heap policy (Alloc), paging policy (Paging),
/// scheduling, drivers.
///
/// Unsafe code is allowed here and in X86 only; each use carries a `// SAFETY:` comment.
public enum Boot {}

/// # Boot: from the VMM's hand-off to the application's `main`
///
/// What is in here: the PVH entry (assembly in BootEntry), the C symbols the Embedded Swift
/// runtime links against (`posix_memalign`, `free`, `putchar`; `memset`, `memcpy`,
/// `memmove`, `memcmp` in assembly), parsing of `hvm_start_info` into a safe ``BootInfo``,
/// the early bump heap, the kernel's descriptor tables, and ``Kernel``, which the generated
/// composition root of each image calls. Boot is the trusted code that mints the
/// ``MemoryRegion`` capabilities other modules are handed, as a Tock board's `main.rs` does.
///
/// What is not in here: the frame allocator, paging policy, scheduling, drivers.
///
/// Unsafe code is allowed here and in X86 only; each use carries a `// SAFETY:` comment.
public enum Boot {}

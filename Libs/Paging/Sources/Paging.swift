/// # Paging: page tables, the kernel's address space, demand paging
///
/// What is in here: the ``AddressSpace`` protocol and ``PageTable``, its x86_64 4-level
/// implementation (4 KiB, 2 MiB and 1 GiB pages, permissions, TLB flush tokens, page tables
/// freed when they empty); ``KernelAddressSpace``, which rebuilds the kernel's mappings with
/// W^X permissions and unmapped guard pages; ``DemandPager``, which backs lazily reserved
/// regions on first touch from the page-fault handler and turns every other fault into a
/// panic report that says what went wrong; ``PagedHeapMemory``, which grows the kernel heap by
/// mapping fresh frames.
///
/// What is not in here: `unsafe`. Page tables are reached through Boot's physical memory
/// window; the address space is activated by Boot after it has checked the mappings.
public enum Paging {}

// PVH entry: from the VMM's 32-bit protected mode to Swift in long mode.
//
// PVH boot ABI (xen/include/public/arch-x86/hvm/start_info.h and Xen's docs/misc/pvh.pandoc):
// the VMM loads this ELF, finds the XEN_ELFNOTE_PHYS32_ENTRY note below and jumps to
// pvh_start32 in 32-bit protected mode with paging off, flat CS/DS/ES/SS, interrupts off and
// %ebx holding the physical address of struct hvm_start_info.
//
// Here: record the entry TSC and %ebx, zero .bss, identity-map the first 4 GiB (1 GiB pages
// where the CPU has them, else 2 MiB pages), enable PAE, SSE (OSFXSR/OSXMMEXCPT), long mode and NX, load a flat 64-bit GDT, and
// call the image's `main` (the generated composition root) on the boot stack.
#if !defined(__linux__)

#define CR0_PE          (1 << 0)
#define CR0_MP          (1 << 1)
#define CR0_EM          (1 << 2)
#define CR0_WP          (1 << 16)
#define CR0_PG          (1 << 31)
#define CR4_PAE         (1 << 5)
#define CR4_OSFXSR      (1 << 9)
#define CR4_OSXMMEXCPT  (1 << 10)
#define MSR_EFER        0xC0000080
#define EFER_LME        (1 << 8)
#define EFER_NXE        (1 << 11)
#define PTE_PRESENT     (1 << 0)
#define PTE_WRITABLE    (1 << 1)
#define PTE_HUGE        (1 << 7)

    .section .note.Xen, "a", @note
    .balign 4
    .long 4                         // name size
    .long 4                         // descriptor size
    .long 18                        // XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long pvh_start32

    .section .text.boot32, "ax"
    .code32
    .global pvh_start32
pvh_start32:
    rdtsc
    movl %eax, boot_entry_tsc
    movl %edx, boot_entry_tsc + 4
    movl %ebx, boot_start_info
    cld
    movl $boot_stack_top - 16, %esp   // a stack for the page-table helper below (PVH gives none)

    // Zero .bss (the stacks and .noinit need no zeroing).
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    // PML4[0] -> PDPT.
    movl $boot_pdpt + (PTE_PRESENT | PTE_WRITABLE), boot_pml4

    // The first GiB through a page directory of 2 MiB pages (boot_page_directories, page 0),
    // and the 2 MiB regions holding the boot stacks' guard pages through page tables whose
    // guard entries stay empty: a stack overflow faults from the first instruction on, with or
    // without Paging. GiB 1..3 are 1 GiB pages where the CPU has them (CPUID 0x80000001 EDX
    // bit 26), else 2 MiB pages too: %esi counts the 2 MiB entries to write.
    movl $2048, %esi
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb 4f
    movl $0x80000001, %eax
    cpuid
    btl $26, %edx
    jnc 4f
    movl $512, %esi
4:  movl $(PTE_PRESENT | PTE_WRITABLE | PTE_HUGE), %eax
    xorl %ecx, %ecx
2:  movl %eax, boot_page_directories(, %ecx, 8)
    movl $0, boot_page_directories + 4(, %ecx, 8)   // .noinit: the high half too
    addl $0x200000, %eax
    incl %ecx
    cmpl %esi, %ecx
    jb 2b
    // A PDPT entry for each page directory written (one per 512 entries) ...
    movl $boot_page_directories + (PTE_PRESENT | PTE_WRITABLE), %eax
    xorl %ecx, %ecx
1:  movl %eax, boot_pdpt(, %ecx, 8)
    addl $0x1000, %eax
    incl %ecx
    movl %ecx, %edx
    shll $9, %edx
    cmpl %esi, %edx
    jb 1b
    // ... and 1 GiB pages for the rest.
    cmpl $2048, %esi
    je 6f
    movl $(PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | 0x40000000), boot_pdpt + 8
    movl $(PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | 0x80000000), boot_pdpt + 16
    movl $(PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | 0xC0000000), boot_pdpt + 24
6:
    // The boot stack's guard page: its 2 MiB region through boot_guard_tables (page 0).
    movl $boot_stack_guard, %edx
    movl $boot_guard_tables, %edi
    call map_guarded_region
    // The interrupt stack's guard page: through the same table if it is in the same region,
    // else through page 1.
    movl $boot_interrupt_stack_guard, %edx
    movl %edx, %eax
    xorl $boot_stack_guard, %eax
    cmpl $0x200000, %eax
    jae 7f
    movl %edx, %eax
    shrl $12, %eax
    andl $511, %eax
    movl $0, boot_guard_tables(, %eax, 8)
    jmp 5f
7:  movl $boot_guard_tables + 0x1000, %edi
    call map_guarded_region
5:

    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl %cr4, %eax
    orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    movl %eax, %cr4
    movl $MSR_EFER, %ecx
    rdmsr
    orl $(EFER_LME | EFER_NXE), %eax
    wrmsr
    movl %cr0, %eax
    andl $~CR0_EM, %eax
    orl $(CR0_PE | CR0_MP | CR0_WP | CR0_PG), %eax
    movl %eax, %cr0

    lgdt boot_gdt_pointer
    ljmp $0x08, $boot_long_mode

    // map_guarded_region: %edx = a guard page's address (below 1 GiB), %edi = a free 4 KiB page
    // table. Fills the table with the identity map of the guard's 2 MiB region, leaves the
    // guard's entry empty, and points the region's page-directory entry at the table.
    // Clobbers %eax, %ecx.
map_guarded_region:
    movl %edx, %eax
    andl $~0x1FFFFF, %eax
    orl $(PTE_PRESENT | PTE_WRITABLE), %eax
    xorl %ecx, %ecx
3:  movl %eax, (%edi, %ecx, 8)
    movl $0, 4(%edi, %ecx, 8)
    addl $0x1000, %eax
    incl %ecx
    cmpl $512, %ecx
    jb 3b
    movl %edx, %eax
    shrl $12, %eax
    andl $511, %eax
    movl $0, (%edi, %eax, 8)
    movl %edx, %eax
    shrl $21, %eax
    movl %edi, %ecx
    orl $(PTE_PRESENT | PTE_WRITABLE), %ecx
    movl %ecx, boot_page_directories(, %eax, 8)
    ret

    .code64
boot_long_mode:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    leaq boot_stack_top - 16(%rip), %rsp     // the top 16 bytes hold a suspended context's saved stack pointer
    xorl %ebp, %ebp
    call main
3:  cli
    hlt
    jmp 3b

    .section .rodata.boot_gdt, "a"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF        // 0x08: 64-bit kernel code
    .quad 0x00CF92000000FFFF        // 0x10: kernel data
boot_gdt_pointer:
    .word boot_gdt_pointer - boot_gdt - 1
    .long boot_gdt

    .section .data.boot_entry, "aw"
    .balign 8
    .global boot_entry_tsc, boot_start_info
boot_entry_tsc:
    .quad 0
boot_start_info:
    .quad 0


    // Page-aligned by the linker script (link.ld), not here, so that the segment's file offset
    // needs no padding.
    .section .bss.page_aligned, "aw", @nobits
    .global boot_pml4, boot_descriptor_tables
boot_pml4:
    .space 4096
boot_pdpt:
    .space 4096
    .global boot_heap_state
boot_heap_state:                    // the early heap's bookkeeping (Boot/EarlyHeap.swift)
    .space 64

    // Memory the entry code does not zero: every byte is written before it is read.
    .section .noinit, "aw", @nobits
boot_page_directories:              // the first 512 entries always, all 2048 without 1 GiB pages
    .space 4 * 4096
boot_guard_tables:                  // page tables for the boot stacks' guard pages' regions
    .space 2 * 4096
boot_descriptor_tables:             // IDT (4 KiB), GDT and TSS: every byte written by Boot's Swift code
    .space 8192
    .global boot_early_heap
boot_early_heap:                    // the heap's first arena; the runtime never assumes zeroed blocks
    .space 16384

    // Stacks, each with an unmapped-to-be guard page below it. Not zeroed.
    .section .stack, "aw", @nobits
    .global boot_stack_bottom, boot_stack_top, boot_interrupt_stack_bottom, boot_interrupt_stack_top
boot_stack_guard:
    .space 4096
boot_stack_bottom:
    .space 65536
boot_stack_top:
boot_interrupt_stack_guard:
    .space 4096
boot_interrupt_stack_bottom:
    .space 16384
boot_interrupt_stack_top:

#endif

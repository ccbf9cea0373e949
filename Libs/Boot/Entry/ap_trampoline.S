// Application processor start-up (Intel SDM Vol. 3A §9.4.4, MP initialisation).
//
// The BSP copies ap_trampoline_start..ap_trampoline_end to physical 0x8000 and fills the
// parameter block at its end, then sends INIT-SIPI-SIPI with vector 0x08. The AP starts in
// real mode at 0x8000, enters protected mode with the trampoline's own GDT, then long mode on
// Boot's early identity map (boot_pml4, executable), and jumps to ap_long_mode in the
// kernel's text, which switches to the kernel's address space and stack and calls Swift.
#if !defined(__linux__)

#define TRAMPOLINE 0x8000
#define AT(label) (label - ap_trampoline_start + TRAMPOLINE)

    .section .rodata.ap_trampoline, "a"
    .global ap_trampoline_start, ap_trampoline_end, ap_trampoline_parameters
    .code16
ap_trampoline_start:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl AT(ap_gdt_pointer)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x18, $AT(ap_protected_mode)

    .code32
ap_protected_mode:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr4, %eax
    orl $((1 << 5) | (1 << 9) | (1 << 10)), %eax     // PAE, OSFXSR, OSXMMEXCPT
    movl %eax, %cr4
    movl AT(ap_early_cr3), %eax
    movl %eax, %cr3
    movl $0xC0000080, %ecx                          // EFER: long mode, no-execute
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax
    andl $~(1 << 2), %eax                           // x87 emulation off
    orl $((1 << 31) | (1 << 16) | (1 << 1)), %eax   // paging, write protect, monitor coprocessor
    movl %eax, %cr0
    ljmpl $0x08, $AT(ap_long_mode_trampoline)

    .code64
ap_long_mode_trampoline:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movq AT(ap_kernel_entry), %rax
    jmp *%rax

    .balign 8
ap_gdt:
    .quad 0
    // 0x08 and 0x10 match the kernel's GDT, so CS and SS stay valid once the AP loads it.
    .quad 0x00AF9A000000FFFF        // 0x08: 64-bit code
    .quad 0x00CF92000000FFFF        // 0x10: data
    .quad 0x00CF9A000000FFFF        // 0x18: 32-bit code, only for the step into protected mode
ap_gdt_pointer:
    .word ap_gdt_pointer - ap_gdt - 1
    .long AT(ap_gdt)

    .balign 8
ap_trampoline_parameters:           // filled in by Boot before each start-up
ap_early_cr3:      .quad 0          // boot_pml4: identity map, executable
ap_kernel_entry:   .quad 0          // ap_long_mode
ap_final_cr3:      .quad 0          // the kernel's address space
ap_stack_top:      .quad 0          // the AP's stack
ap_argument:       .quad 0          // passed to hermit_ap_entry
ap_trampoline_end:

    // In the kernel's text (executable in every address space): switch to the kernel's
    // address space and the AP's stack, then enter Swift.
    .section .text.ap_long_mode, "ax"
    .global ap_long_mode
ap_long_mode:
    movq AT(ap_final_cr3), %rax
    movq %rax, %cr3
    movq AT(ap_stack_top), %rsp
    movq AT(ap_argument), %rdi
    xorl %ebp, %ebp
    call hermit_ap_entry
1:  cli
    hlt
    jmp 1b
#endif

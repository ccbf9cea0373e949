// The saved-register part of X86's interrupt frame (InterruptFrame in Swift), as assembler
// macros shared by the interrupt stubs (interrupts.S) and the ring-3 entry (usermode.S).
// Pushed in this order, the frame reads, lowest address first:
//   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax
// Only assembly includes it; to C and Swift it is empty.
#ifndef X86_FRAME_H
#define X86_FRAME_H
#ifdef __ASSEMBLER__

    .macro PUSH_GENERAL_REGISTERS
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    .endm

    .macro POP_GENERAL_REGISTERS
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    .endm

    // Saves the x87/SSE (and, when the kernel turned XSAVE on, AVX) state below the frame,
    // in a 1 KiB area aligned to 64 bytes; %rbx must hold the frame (the way back restores
    // %rsp from it). Clobbers %rax and %rdx, which the frame holds already.
    .macro SAVE_EXTENDED_STATE
    subq $1024, %rsp
    andq $-64, %rsp
    movl x86_extended_state_mask(%rip), %eax
    testl %eax, %eax
    jz 91f
    xorl %edx, %edx
    movq $0, 512(%rsp)           // the XSAVE header: XSAVE writes XSTATE_BV only, and XRSTOR
    movq $0, 520(%rsp)           // refuses reserved bytes that are not zero
    movq $0, 528(%rsp)
    movq $0, 536(%rsp)
    movq $0, 544(%rsp)
    movq $0, 552(%rsp)
    movq $0, 560(%rsp)
    movq $0, 568(%rsp)
    xsave64 (%rsp)
    jmp 92f
91: fxsave64 (%rsp)
92:
    .endm

    // Restores what SAVE_EXTENDED_STATE saved at (%rsp). Clobbers %rax and %rdx.
    .macro RESTORE_EXTENDED_STATE
    movl x86_extended_state_mask(%rip), %eax
    testl %eax, %eax
    jz 93f
    xorl %edx, %edx
    xrstor64 (%rsp)
    jmp 94f
93: fxrstor64 (%rsp)
94:
    .endm

#endif
#endif

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

#endif
#endif

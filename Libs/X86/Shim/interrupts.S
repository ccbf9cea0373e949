// Interrupt and exception entry (Intel SDM Vol. 3A §6.12, §6.14).
//
// Stub n is 16 bytes long and starts at x86_interrupt_stubs + 16 * n. It makes every vector
// look alike on the stack: [error code or 0] [vector], then jumps to the common path, which
// saves the general registers and the SSE/x87 state, passes the frame to Swift
// (hermit_interrupt_dispatch in X86/InterruptDispatch.swift) and returns with iretq.
// Frame layout, lowest address first, must match X86's InterruptFrame:
//   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax vector error rip cs rflags rsp ss
#if !defined(__linux__)
#include "X86Frame.h"

    .section .text.x86_interrupts, "ax"
    .code64

    .macro STUB vector
    .balign 16
    .if (\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
    // The CPU pushed an error code for this exception.
    .else
    pushq $0
    .endif
    pushq $\vector
    jmp x86_interrupt_common
    .endm

    .balign 16
    .global x86_interrupt_stubs
x86_interrupt_stubs:
    .altmacro
    .set vector, 0
    .rept 256
    STUB %vector
    .set vector, vector + 1
    .endr

x86_interrupt_common:
    cld
    testb $3, 24(%rsp)           // from ring 3 (the program)? Then GS holds its base:
    jz 1f                        // swap in the processor's slot (IA32_KERNEL_GS_BASE)
    swapgs
1:
    PUSH_GENERAL_REGISTERS
    movq %rsp, %rdi              // the frame
    movq %rsp, %rbx              // callee-saved: where the frame is
    SAVE_EXTENDED_STATE
    // A frame-pointer record linking the handler's backtrace to the interrupted code.
    pushq 136(%rbx)              // rip of the interrupted code
    pushq 64(%rbx)               // its rbp
    movq %rsp, %rbp
    call hermit_interrupt_dispatch

    // The way back for interrupts and system calls: %rbx holds the frame, the FXSAVE area
    // and the frame record lie below it. Interrupts stay off from here to iretq, so nothing
    // runs between the swapgs and the return to ring 3.
    .global x86_frame_return
x86_frame_return:
    cli
    addq $16, %rsp
    RESTORE_EXTENDED_STATE
    movq %rbx, %rsp
    POP_GENERAL_REGISTERS
    addq $16, %rsp               // vector and error code
    testb $3, 8(%rsp)            // back to ring 3: give the program its GS base again
    jz 2f
    swapgs
2:
    iretq


    // One 64-byte slot per processor: its index at offset 0 and the running thread's identity
    // (kept by the scheduler) at offset 8, the page-fault stack's top and size at 16 and 24,
    // then for ring 3 (usermode.S): the running program thread's kernel stack top at 32, a
    // scratch word for the program's stack pointer at 40, the processor's TSS at 48 and the
    // running program thread's context slot at 56. IA32_GS_BASE points at the running
    // processor's slot, so `movq %gs:0` reads the index and `movq %gs:8` the thread in one
    // instruction.
    // The XSAVE feature mask the entry stubs save and restore (x87, SSE, AVX), or 0 while the
    // kernel uses FXSAVE (UserMode.prepareProcessor sets it once XSAVE is on).
    .section .data.x86_extended_state_mask, "aw"
    .balign 8
    .global x86_extended_state_mask
x86_extended_state_mask:
    .long 0
    .long 0

    .section .bss.x86_processor_slots, "aw", @nobits
    .balign 16
    .global x86_processor_slots
x86_processor_slots:
    .space 64 * 256

#endif

// Ring 3: the way into a program and the SYSCALL way back (Intel SDM Vol. 3A §5.8.8,
// AMD APM Vol. 2 §6.1.1).
//
// A program runs at CPL 3 on its own pages (user pages only the fence maps). Entries into
// the kernel — SYSCALL, interrupts and exceptions — switch to the running program thread's
// kernel stack before anything is pushed (SYSCALL: this stub, from GS:32; interrupts: the
// CPU, from the TSS's RSP0), so the program's red zone is never touched, and swap GS to the
// processor's slot. Both leave through x86_frame_return (interrupts.S) with iretq, which
// restores exactly the frame: a system call frame is laid out as an interrupt frame whose
// vector is 256.
#if !defined(__linux__)
#include "X86Frame.h"

    .set USER_DATA, 0x2B          // GDT entry 5, RPL 3
    .set USER_CODE, 0x33          // GDT entry 6, RPL 3

    .section .text.x86_usermode, "ax"
    .code64

    // SYSCALL: RCX = the program's RIP, R11 = its RFLAGS; IA32_FMASK cleared IF, DF, TF, AC.
    .global x86_system_call_entry
x86_system_call_entry:
    swapgs
    movq %rsp, %gs:40             // the program's stack pointer, while the stack changes
    movq %gs:32, %rsp             // this thread's kernel stack top
    pushq $USER_DATA
    pushq %gs:40
    pushq %r11
    pushq $USER_CODE
    pushq %rcx
    pushq $0                      // error code
    pushq $256                    // "vector": a system call
    PUSH_GENERAL_REGISTERS
    movq %rsp, %rdi               // the frame
    movq %rsp, %rbx
    SAVE_EXTENDED_STATE           // the program's x87/SSE/AVX state: kernel code uses SSE
    pushq 136(%rbx)               // frame-pointer record: backtraces end at the program
    pushq $0
    movq %rsp, %rbp
    sti
    call hermit_system_call_dispatch
    jmp x86_frame_return

    // void x86_enter_user(const uint64_t *frame, uint64_t context_slot)
    // Called with interrupts off on the thread's kernel stack; what lies above the stack
    // pointer now is never returned to.
    .global x86_enter_user
x86_enter_user:
    cli
    andq $-16, %rsp
    movq %rsp, 16(%rsi)           // the thread's kernel stack top, for context switches
    movq %rsp, %gs:32
    movq %gs:48, %rax
    movq %rsp, 4(%rax)            // TSS.RSP0: interrupts from ring 3 land here
    movq %rsi, %gs:56
    movq %rdi, %rsi
    movq %rsp, %rbx
    subq $176, %rbx
    movq %rbx, %rdi
    movl $22, %ecx
    rep movsq                     // the frame, copied below the stack top
    movq %rbx, %rsp
    // A clean x87/SSE state: nothing the kernel computed reaches the program.
    fninit
    pushq $0x1F80
    ldmxcsr (%rsp)
    addq $8, %rsp
    pxor %xmm0, %xmm0
    pxor %xmm1, %xmm1
    pxor %xmm2, %xmm2
    pxor %xmm3, %xmm3
    pxor %xmm4, %xmm4
    pxor %xmm5, %xmm5
    pxor %xmm6, %xmm6
    pxor %xmm7, %xmm7
    pxor %xmm8, %xmm8
    pxor %xmm9, %xmm9
    pxor %xmm10, %xmm10
    pxor %xmm11, %xmm11
    pxor %xmm12, %xmm12
    pxor %xmm13, %xmm13
    pxor %xmm14, %xmm14
    pxor %xmm15, %xmm15
    POP_GENERAL_REGISTERS
    addq $16, %rsp
    swapgs
    iretq
#endif

// Thread context switch (System V AMD64 ABI: rbx, rbp, r12-r15, the MXCSR control bits and
// the x87 control word are callee-saved; everything else is the caller's to save). A switch
// is a function call, so it saves exactly those; full SSE state of a thread interrupted by
// an interrupt is saved by the interrupt entry stub on the thread's own stack.
#if !defined(__linux__)
    .section .text.x86_context, "ax"
    .code64

    // void x86_switch_context(uint64_t *save_stack_pointer, uint64_t next_stack_pointer)
    .global x86_switch_context
x86_switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr 4(%rsp)
    fnstcw (%rsp)
    movq %rsp, (%rdi)
    movq $1, 8(%rdi)        // saved: a resumer waiting for this flag may now load the pointer
    movq %rsi, %rsp
    ldmxcsr 4(%rsp)
    fldcw (%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

    // Where a new thread's first switch "returns" to: r12 holds the argument the thread was
    // prepared with; rbp is 0, which ends backtraces.
    .global x86_thread_trampoline
x86_thread_trampoline:
    movq %r12, %rdi
    call hermit_thread_start
    ud2
#endif

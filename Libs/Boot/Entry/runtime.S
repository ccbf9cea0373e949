// The C memory primitives the Swift runtime and compiler-generated code call.
// Written with the string instructions so no compiler can turn them back into calls to
// themselves. System V AMD64 ABI: arguments in rdi, rsi, rdx; result in rax.
#if !defined(__linux__)
    .code64

    // void *memset(void *destination, int byte, size_t count)
    .section .text.memset, "ax"
    .global memset
memset:
    // Eight bytes at a time, then the tail (a string instruction's iterations each count as
    // an instruction under TCG's icount, and cost more than one on some processors).
    movq %rdi, %r9
    movzbl %sil, %eax
    movabsq $0x0101010101010101, %r8
    imulq %r8, %rax
    movq %rdx, %rcx
    shrq $3, %rcx
    rep stosq
    movq %rdx, %rcx
    andq $7, %rcx
    rep stosb
    movq %r9, %rax
    ret

    // void *memcpy(void *destination, const void *source, size_t count)
    .section .text.memcpy, "ax"
    .global memcpy
memcpy:
    movq %rdi, %rax
    movq %rdx, %rcx
    shrq $3, %rcx
    rep movsq                       // eight bytes at a time, then the tail
    movq %rdx, %rcx
    andq $7, %rcx
    rep movsb
    ret

    // void *memmove(void *destination, const void *source, size_t count)
    .section .text.memmove, "ax"
    .global memmove
memmove:
    movq %rdi, %rax
    movq %rdx, %rcx
    cmpq %rsi, %rdi
    jbe 1f                          // destination below source: copy forwards
    leaq (%rsi, %rdx), %r8
    cmpq %r8, %rdi
    jae 1f                          // no overlap: copy forwards
    leaq -1(%rdi, %rdx), %rdi       // overlap with destination above: copy backwards
    leaq -1(%rsi, %rdx), %rsi
    std
    rep movsb
    cld
    ret
1:  shrq $3, %rcx                   // forwards: eight bytes at a time (safe when the destination
    rep movsq                       // is below the source: each word is read before the stores reach it)
    movq %rdx, %rcx
    andq $7, %rcx
    rep movsb
    ret

    // int memcmp(const void *a, const void *b, size_t count)
    .section .text.memcmp, "ax"
    .global memcmp
memcmp:
    xorl %eax, %eax
    testq %rdx, %rdx
    jz 2f
1:  movzbl (%rdi), %eax
    movzbl (%rsi), %ecx
    subl %ecx, %eax
    jnz 2f
    incq %rdi
    incq %rsi
    decq %rdx
    jnz 1b
2:  ret

#endif

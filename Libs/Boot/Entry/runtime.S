// The C memory primitives the Swift runtime and compiler-generated code call.
// Written with the string instructions so no compiler can turn them back into calls to
// themselves. System V AMD64 ABI: arguments in rdi, rsi, rdx; result in rax.
#if !defined(__linux__)
    .code64

    // void *memset(void *destination, int byte, size_t count)
    .section .text.memset, "ax"
    .global memset
memset:
    movq %rdi, %r9
    movl %esi, %eax
    movq %rdx, %rcx
    rep stosb
    movq %r9, %rax
    ret

    // void *memcpy(void *destination, const void *source, size_t count)
    .section .text.memcpy, "ax"
    .global memcpy
memcpy:
    movq %rdi, %rax
    movq %rdx, %rcx
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
1:  rep movsb
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

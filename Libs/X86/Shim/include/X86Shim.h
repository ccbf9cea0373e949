// X86Shim: the x86_64 instructions Swift cannot emit, as one-instruction inline functions.
//
// Every function here is `static inline` and `always_inline`, so it compiles straight into
// its Swift caller (checked with objdump): calling one costs exactly its instruction.
// Only the X86 module imports this header; the rest of the kernel reaches these
// instructions through X86's typed, documented Swift wrappers.
#ifndef X86_SHIM_H
#define X86_SHIM_H

#include <stdint.h>
#include "X86Frame.h"   // assembler macros only: empty here

#define X86_INLINE static inline __attribute__((always_inline))

// MARK: Port I/O (Intel SDM Vol. 2: IN, OUT)

X86_INLINE uint8_t x86_inb(uint16_t port) {
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
X86_INLINE uint16_t x86_inw(uint16_t port) {
    uint16_t value;
    __asm__ volatile("inw %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
X86_INLINE uint32_t x86_inl(uint16_t port) {
    uint32_t value;
    __asm__ volatile("inl %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}
X86_INLINE void x86_outb(uint16_t port, uint8_t value) {
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}
X86_INLINE void x86_outw(uint16_t port, uint16_t value) {
    __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}
X86_INLINE void x86_outl(uint16_t port, uint32_t value) {
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

// MARK: Model-specific registers (SDM Vol. 2: RDMSR, WRMSR)

X86_INLINE uint64_t x86_rdmsr(uint32_t msr) {
    uint32_t low, high;
    __asm__ volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return ((uint64_t)high << 32) | low;
}
X86_INLINE void x86_wrmsr(uint32_t msr, uint64_t value) {
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

// MARK: Control registers (SDM Vol. 3A §2.5)

X86_INLINE uint64_t x86_read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
X86_INLINE uint64_t x86_read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
X86_INLINE uint64_t x86_read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
X86_INLINE uint64_t x86_read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
X86_INLINE void x86_write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
X86_INLINE void x86_write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
X86_INLINE void x86_write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

// MARK: Identification and time (SDM Vol. 2: CPUID, RDTSC)

typedef struct { uint32_t eax, ebx, ecx, edx; } x86_cpuid_result;

X86_INLINE x86_cpuid_result x86_cpuid(uint32_t leaf, uint32_t subleaf) {
    x86_cpuid_result r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}
X86_INLINE uint64_t x86_rdtsc(void) {
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return ((uint64_t)high << 32) | low;
}

/// The 256 per-processor slots of 64 bytes (interrupts.S); GS points at the running processor's.
extern char x86_processor_slots[];
X86_INLINE uint64_t x86_processor_slot_address(uint32_t index) { return (uint64_t)x86_processor_slots + 64 * (uint64_t)index; }
/// The quadwords at GS:16 and GS:24: the top of the running processor's page-fault stack and its size.
X86_INLINE uint64_t x86_read_gs16(void) { uint64_t v; __asm__ volatile("movq %%gs:16, %0" : "=r"(v)); return v; }
X86_INLINE uint64_t x86_read_gs24(void) { uint64_t v; __asm__ volatile("movq %%gs:24, %0" : "=r"(v)); return v; }
/// The quadword at GS:0: the running processor's index.
X86_INLINE uint64_t x86_read_gs0(void) { uint64_t v; __asm__ volatile("movq %%gs:0, %0" : "=r"(v)); return v; }
/// The quadword at GS:8: the word the scheduler keeps there (the running thread's identity).
X86_INLINE uint64_t x86_read_gs8(void) { uint64_t v; __asm__ volatile("movq %%gs:8, %0" : "=r"(v)); return v; }
X86_INLINE void x86_write_gs8(uint64_t v) { __asm__ volatile("movq %0, %%gs:8" : : "r"(v) : "memory"); }

// MARK: Interrupt flag, halting, flags (SDM Vol. 2: CLI, STI, HLT, PAUSE, PUSHF)

X86_INLINE void x86_cli(void) { __asm__ volatile("cli" : : : "memory"); }
X86_INLINE void x86_sti(void) { __asm__ volatile("sti" : : : "memory"); }
X86_INLINE void x86_hlt(void) { __asm__ volatile("hlt" : : : "memory"); }
X86_INLINE void x86_sti_hlt(void) { __asm__ volatile("sti; hlt" : : : "memory"); }
X86_INLINE void x86_pause(void) { __asm__ volatile("pause"); }
X86_INLINE uint64_t x86_read_rflags(void) {
    uint64_t v;
    __asm__ volatile("pushfq; popq %0" : "=r"(v) : : "memory");
    return v;
}
X86_INLINE uint64_t x86_read_rbp(void) { uint64_t v; __asm__ volatile("mov %%rbp, %0" : "=r"(v)); return v; }
X86_INLINE uint64_t x86_read_rsp(void) { uint64_t v; __asm__ volatile("mov %%rsp, %0" : "=r"(v)); return v; }

// MARK: Descriptor tables and TLB (SDM Vol. 2: LGDT, LIDT, LTR, INVLPG)

typedef struct __attribute__((packed)) { uint16_t limit; uint64_t base; } x86_descriptor_pointer;

X86_INLINE void x86_lgdt(uint64_t base, uint16_t limit) {
    x86_descriptor_pointer p = { limit, base };
    __asm__ volatile("lgdt %0" : : "m"(p) : "memory");
}
X86_INLINE void x86_lidt(uint64_t base, uint16_t limit) {
    x86_descriptor_pointer p = { limit, base };
    __asm__ volatile("lidt %0" : : "m"(p) : "memory");
}
X86_INLINE void x86_ltr(uint16_t selector) { __asm__ volatile("ltr %0" : : "r"(selector) : "memory"); }
X86_INLINE void x86_invlpg(uint64_t address) { __asm__ volatile("invlpg (%0)" : : "r"(address) : "memory"); }

// MARK: Memory-mapped I/O: volatile accesses the compiler may neither merge nor drop.

X86_INLINE uint8_t x86_mmio_read8(uint64_t a) { return *(volatile uint8_t *)a; }
X86_INLINE uint16_t x86_mmio_read16(uint64_t a) { return *(volatile uint16_t *)a; }
X86_INLINE uint32_t x86_mmio_read32(uint64_t a) { return *(volatile uint32_t *)a; }
X86_INLINE uint64_t x86_mmio_read64(uint64_t a) { return *(volatile uint64_t *)a; }
X86_INLINE void x86_mmio_write8(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
X86_INLINE void x86_mmio_write16(uint64_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
X86_INLINE void x86_mmio_write32(uint64_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
X86_INLINE void x86_mmio_write64(uint64_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
/// RDRAND: 1 and a random value in *out on success, 0 when the generator had none ready.
X86_INLINE int x86_rdrand64(uint64_t *out) {
    unsigned char ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
    return ok;
}
/// A full fence: earlier stores are visible before later loads (x86 may otherwise let a
/// load pass a store).
X86_INLINE void x86_mfence(void) { __asm__ volatile("mfence" : : : "memory"); }
/// Keeps the compiler from moving memory accesses across this point (x86 keeps stores in
/// order for devices doing DMA; the compiler would not).
X86_INLINE void x86_compiler_barrier(void) { __asm__ volatile("" : : : "memory"); }

// MARK: Bulk memory (SDM Vol. 2: REP STOS)

/// Stores `count` copies of the 64-bit `value` from `address` on (REP STOSQ).
X86_INLINE void x86_store_qwords(uint64_t address, uint64_t value, uint64_t count) {
    __asm__ volatile("rep stosq" : "+D"(address), "+c"(count) : "a"(value) : "memory");
}

// MARK: Interrupt entry stubs (interrupts.S)

/// The 256 interrupt entry stubs, each `X86_INTERRUPT_STUB_SIZE` bytes apart: stub `n` pushes
/// vector `n` (and a zero error code where the CPU pushes none), saves the general registers
/// and the SSE state, and calls `hermit_interrupt_dispatch` with the saved frame.
extern char x86_interrupt_stubs[];
#define X86_INTERRUPT_STUB_SIZE 16

X86_INLINE uint64_t x86_interrupt_stub_address(uint32_t vector) {
    return (uint64_t)x86_interrupt_stubs + (uint64_t)vector * X86_INTERRUPT_STUB_SIZE;
}

// MARK: Ring 3 (usermode.S)
/// The SYSCALL entry (IA32_LSTAR): saves the program's registers as an interrupt frame on the
/// thread's kernel stack (GS:32), calls `hermit_system_call_dispatch`, returns with iretq.
extern char x86_system_call_entry[];
X86_INLINE uint64_t x86_system_call_entry_address(void) { return (uint64_t)x86_system_call_entry; }
/// Enters ring 3 with the 176-byte frame at `frame`; records the kernel stack top for later
/// entries at `context_slot + 16`, GS:32 and the TSS's RSP0; never returns.
__attribute__((noreturn)) void x86_enter_user(const uint64_t *frame, uint64_t context_slot);
/// The quadwords at GS:32 (the running program thread's kernel stack top), GS:48 (the TSS)
/// and GS:56 (the running program thread's context slot).
X86_INLINE uint64_t x86_read_gs48(void) { uint64_t v; __asm__ volatile("movq %%gs:48, %0" : "=r"(v)); return v; }
X86_INLINE uint64_t x86_read_gs56(void) { uint64_t v; __asm__ volatile("movq %%gs:56, %0" : "=r"(v)); return v; }
X86_INLINE void x86_write_gs32(uint64_t v) { __asm__ volatile("movq %0, %%gs:32" : : "r"(v) : "memory"); }
X86_INLINE void x86_write_gs56(uint64_t v) { __asm__ volatile("movq %0, %%gs:56" : : "r"(v) : "memory"); }
/// The feature mask the entry stubs pass to XSAVE/XRSTOR (0: they use FXSAVE).
extern char x86_extended_state_mask[];
X86_INLINE uint64_t x86_extended_state_mask_address(void) { return (uint64_t)x86_extended_state_mask; }
/// XGETBV/XSETBV (extended control register 0: which state XSAVE manages).
X86_INLINE uint64_t x86_xgetbv(uint32_t index) {
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(index));
    return ((uint64_t)high << 32) | low;
}
X86_INLINE void x86_xsetbv(uint32_t index, uint64_t value) {
    __asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)) : "memory");
}

// MARK: Context switch (context.S)

/// Saves the callee-saved state on the current stack, stores the stack pointer at
/// `save_stack_pointer`, and resumes the context saved at `next_stack_pointer`.
void x86_switch_context(uint64_t *save_stack_pointer, uint64_t next_stack_pointer);
/// The first instruction of every new thread.
extern char x86_thread_trampoline[];

X86_INLINE uint64_t x86_thread_trampoline_address(void) { return (uint64_t)x86_thread_trampoline; }

// MARK: Ordered word access for the context-switch hand-over (C11 atomics on raw memory)

X86_INLINE uint64_t x86_load_acquire64(uint64_t address) { return __atomic_load_n((uint64_t *)address, __ATOMIC_ACQUIRE); }
X86_INLINE void x86_store_release64(uint64_t address, uint64_t value) { __atomic_store_n((uint64_t *)address, value, __ATOMIC_RELEASE); }
/// A sequentially consistent 32-bit compare-and-swap (lock cmpxchg) at an aligned address;
/// returns the value found there (equal to `expected` exactly when `desired` was stored).
X86_INLINE uint32_t x86_compare_exchange32(uint64_t address, uint32_t expected, uint32_t desired) {
    __atomic_compare_exchange_n((uint32_t *)address, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    return expected;
}

#endif

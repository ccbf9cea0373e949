// BootEntry: the symbols of the PVH entry code and the linker script, as addresses.
//
// Only the Boot module imports this header. Boot turns these addresses into MemoryRegions
// (the capabilities the rest of the kernel is handed) and never exposes them raw.
#ifndef BOOT_ENTRY_H
#define BOOT_ENTRY_H

#include <stdint.h>

#define BOOT_INLINE static inline __attribute__((always_inline))

extern uint64_t boot_entry_tsc;
extern uint64_t boot_start_info;
extern char boot_pml4[], boot_descriptor_tables[], boot_early_heap[], boot_heap_state[];
#define BOOT_HEAP_STATE_SIZE 64
#define BOOT_EARLY_HEAP_SIZE 16384
extern char boot_stack_bottom[], boot_stack_top[];
extern char boot_interrupt_stack_bottom[], boot_interrupt_stack_top[];
extern char __kernel_start[], __kernel_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[], __bss_start[], __bss_end[];

/// The TSC value read by the first instruction of the PVH entry.
BOOT_INLINE uint64_t boot_entry_tsc_value(void) { return boot_entry_tsc; }
/// The physical address of hvm_start_info that the VMM passed in %ebx.
BOOT_INLINE uint64_t boot_start_info_address(void) { return boot_start_info; }

BOOT_INLINE uint64_t boot_kernel_start(void) { return (uint64_t)__kernel_start; }
BOOT_INLINE uint64_t boot_kernel_end(void) { return (uint64_t)__kernel_end; }
BOOT_INLINE uint64_t boot_text_start(void) { return (uint64_t)__text_start; }
BOOT_INLINE uint64_t boot_text_end(void) { return (uint64_t)__text_end; }
BOOT_INLINE uint64_t boot_rodata_start(void) { return (uint64_t)__rodata_start; }
BOOT_INLINE uint64_t boot_rodata_end(void) { return (uint64_t)__rodata_end; }
BOOT_INLINE uint64_t boot_data_start(void) { return (uint64_t)__data_start; }
BOOT_INLINE uint64_t boot_bss_end(void) { return (uint64_t)__bss_end; }
BOOT_INLINE uint64_t boot_pml4_address(void) { return (uint64_t)boot_pml4; }
BOOT_INLINE uint64_t boot_descriptor_tables_address(void) { return (uint64_t)boot_descriptor_tables; }
BOOT_INLINE uint64_t boot_heap_state_address(void) { return (uint64_t)boot_heap_state; }
BOOT_INLINE uint64_t boot_early_heap_address(void) { return (uint64_t)boot_early_heap; }
BOOT_INLINE uint64_t boot_stack_bottom_address(void) { return (uint64_t)boot_stack_bottom; }
BOOT_INLINE uint64_t boot_stack_top_address(void) { return (uint64_t)boot_stack_top; }
BOOT_INLINE uint64_t boot_interrupt_stack_bottom_address(void) { return (uint64_t)boot_interrupt_stack_bottom; }
BOOT_INLINE uint64_t boot_interrupt_stack_top_address(void) { return (uint64_t)boot_interrupt_stack_top; }

// Application processor start-up (ap_trampoline.S).
extern char ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_parameters[], ap_long_mode[];
/// Where the trampoline runs: the page the start-up IPI's vector 0x08 names.
#define AP_TRAMPOLINE_ADDRESS 0x8000

BOOT_INLINE uint64_t boot_ap_trampoline_start(void) { return (uint64_t)ap_trampoline_start; }
BOOT_INLINE uint64_t boot_ap_trampoline_size(void) { return (uint64_t)(ap_trampoline_end - ap_trampoline_start); }
BOOT_INLINE uint64_t boot_ap_parameters_offset(void) { return (uint64_t)(ap_trampoline_parameters - ap_trampoline_start); }
BOOT_INLINE uint64_t boot_ap_long_mode_address(void) { return (uint64_t)ap_long_mode; }

#endif

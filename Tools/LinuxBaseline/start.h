// What Tools/LinuxBaseline/start.swift needs below Swift: the TSC, and the debug-exit port.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

static inline uint64_t start_tsc(void) {
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

// Ends the VM with `status`: QEMU's debug-exit device where port I/O is allowed (a Linux guest's
// init), else a power-off (SwiftyHermit's Linux layer ends the VM with status 0 then).
static inline void start_finish(int status) {
    fflush(stdout);   // stdout on a console that is not a terminal is fully buffered
    if (ioperm(0xf4, 4, 1) == 0) __asm__ volatile("outl %0, %1" : : "a"((uint32_t)(0x10 + status)), "Nd"((uint16_t)0xf4));
    reboot(RB_POWER_OFF);
    for (;;) pause();
}

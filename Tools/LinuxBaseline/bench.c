// The Linux baseline for `hermit bench`: the operations of Apps/bench measured with real
// system calls, run as /init of a tiny initramfs on Debian's stock kernel under the same QEMU
// options as the SwiftyHermit image.
//
// It prints `bench: <name>=<value>` lines with the same names and method as Apps/bench (TSC
// ticks per operation: guest instructions under `-icount shift=0,sleep=off`), then ends the VM
// through QEMU's isa-debug-exit device (port 0xf4) with status 0, or 1 if anything failed.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

static uint64_t tsc(void) { return __rdtsc(); }

// Written by a new thread's first statement.
static volatile uint64_t first_instruction;

static void *thread_body(void *argument) {
    first_instruction = tsc();
    return argument;
}

static void finish(int status) {
    fflush(stdout);
    // The debug-exit device makes QEMU exit with ((0x10 + status) << 1) | 1, as for the
    // SwiftyHermit image. Fall back to a power-off if port I/O is refused.
    if (ioperm(0xf4, 4, 1) == 0) outl(0x10 + status, 0xf4);
    reboot(RB_POWER_OFF);
    for (;;) pause();
}

static uint64_t getpid_instructions(long iterations) {
    long sum = 0;
    uint64_t start = tsc();
    for (long i = 0; i < iterations; i++) sum += syscall(SYS_getpid);
    uint64_t end = tsc();
    if (sum != iterations * (long)getpid()) printf("bench: getpid changed during the loop\n");
    return (end - start) / iterations;
}

static uint64_t yield_instructions(long iterations) {
    uint64_t start = tsc();
    for (long i = 0; i < iterations; i++) sched_yield();
    return (tsc() - start) / iterations;
}

// From pthread_create to the new thread's first statement (one CPU: it runs when the
// creator blocks in pthread_join).
static int thread_create_instructions(int count, uint64_t *result) {
    uint64_t total = 0;
    for (int i = 0; i < count; i++) {
        pthread_t thread;
        uint64_t start = tsc();
        if (pthread_create(&thread, NULL, thread_body, NULL) != 0) return -1;
        if (pthread_join(thread, NULL) != 0) return -1;
        total += first_instruction - start;
    }
    *result = total / count;
    return 0;
}

// One byte written to each untouched page of an anonymous mapping (no huge pages), less the
// same writes once the pages are mapped.
static int page_fault_instructions(long pages, uint64_t *result) {
    size_t bytes = (size_t)pages * 4096;
    volatile uint8_t *region = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) return -1;
    if (madvise((void *)region, bytes, MADV_NOHUGEPAGE) != 0) return -1;
    uint64_t t0 = tsc();
    for (long page = 0; page < pages; page++) region[page * 4096] = (uint8_t)page;
    uint64_t t1 = tsc();
    for (long page = 0; page < pages; page++) region[page * 4096] = (uint8_t)page;
    uint64_t t2 = tsc();
    *result = ((t1 - t0) - (t2 - t1)) / pages;
    return 0;
}

static uint64_t heap_instructions(long rounds) {
    uint64_t start = tsc();
    for (long i = 0; i < rounds; i++) {
        void *volatile block = malloc(64);
        free(block);
    }
    return (tsc() - start) / rounds;
}

int main(void) {
    // Instructions from the VM's start to here: firmware, kernel boot, exec of /init.
    uint64_t at_main = tsc();
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("bench: vm_start_to_main=%llu\n", (unsigned long long)at_main);
    printf("bench: getpid=%llu\n", (unsigned long long)getpid_instructions(100000));
    printf("bench: sched_yield=%llu\n", (unsigned long long)yield_instructions(100000));
    uint64_t value;
    if (thread_create_instructions(1000, &value) != 0) { printf("bench: FAILED: pthread_create\n"); finish(1); }
    printf("bench: thread_create=%llu\n", (unsigned long long)value);
    if (page_fault_instructions(1024, &value) != 0) { printf("bench: FAILED: mmap\n"); finish(1); }
    printf("bench: page_fault=%llu\n", (unsigned long long)value);
    printf("bench: heap_alloc_free_64=%llu\n", (unsigned long long)heap_instructions(100000));
    printf("bench: done\n");
    finish(0);
}

// expected-error: 'sendInterprocessorInterrupt' is inaccessible due to 'internal' protection level
// An INIT IPI resets another processor: raw ICR commands stay inside X86.
import X86

func reset(_ apic: LocalAPIC) {
    apic.sendInterprocessorInterrupt(to: 1, command: 0x4500)
}

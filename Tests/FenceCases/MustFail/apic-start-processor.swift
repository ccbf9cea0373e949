// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe instance method 'startProcessor(apicID:startPage:ticksPerMicrosecond:)'
// STARTUP with any page starts a processor on any code.
import X86

func start(_ apic: LocalAPIC) {
    apic.startProcessor(apicID: 1, startPage: 0x10, ticksPerMicrosecond: 1000)
}

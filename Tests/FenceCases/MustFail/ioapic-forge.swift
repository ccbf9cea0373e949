// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(window:)'
// An "I/O APIC" over another device's registers would write them blindly.
import X86

func forge(_ window: MMIOWindow) -> IOAPIC {
    IOAPIC(window: window)
}

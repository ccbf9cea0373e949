// expected-error: enum case 'xAPIC' has no associated values
// The local APIC's register page never leaves X86 as a raw window.
import X86

func access(_ window: MMIOWindow) -> LocalAPIC.Access {
    .xAPIC(window)
}

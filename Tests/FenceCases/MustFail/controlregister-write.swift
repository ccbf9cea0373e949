// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe static method 'writeCR3'
// Loading CR3 can unmap the running code: only X86 and Boot may, with `unsafe`.
import X86

func switchAddressSpace() {
    ControlRegisters.writeCR3(0)
}

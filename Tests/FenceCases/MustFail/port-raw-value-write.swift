// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe static method 'write(port:value:)'
// The raw OUT behind Port is as unsafe as creating a Port.
import X86

func selectConfigurationRegister() {
    UInt32.write(port: 0xCF8, value: 0x8000_0010)
}

// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(base:)'
// A "UART" at 0xCF8 would be PCI configuration space.
import X86

func fakeConsole() {
    SerialPort(base: 0xCF8).write(0)
}

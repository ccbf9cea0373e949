// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(window:entries:function:capability:)'
// An MSI-X "table" over other registers would write messages anywhere.
import X86

func forge(_ window: MMIOWindow) -> MessageInterruptTable {
    MessageInterruptTable(window: window, entries: 1, function: PCIConfigurationSpace.Function(bus: 0, device: 1, function: 0), capability: 0x40)
}

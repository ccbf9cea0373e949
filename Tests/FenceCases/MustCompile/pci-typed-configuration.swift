// What a driver may do with configuration space: read it, size BARs, switch decoding,
// bus mastering and MSI-X.
import PCI
import X86

func bringUp(_ device: PCIDevice) -> PCIDevice.BAR? {
    device.enable()
    device.disableLegacyInterrupts()
    _ = device.read32(offset: 0)
    return device.bar(0)
}

func console() { SerialPort.com1.write(0x41) }

// expected-error: has no member 'write32'
// Configuration space has no raw write: a BAR rewritten over RAM would alias Swift objects.
import PCI

func moveBAR(_ device: PCIDevice) {
    device.write32(offset: 0x10, 0x0010_0000)
}

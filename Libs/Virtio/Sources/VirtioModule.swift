import Alloc
import Boot
import Net
import PCI
import Paging
import X86

/// Start-up of the virtio drivers: finds virtio network cards on PCI and brings them up.
///
/// Guarantees: a card that fails to come up is reported on the console with the reason and
/// skipped, not a panic; an image without any card simply has none.
public enum VirtioModule: KernelModule {
    public static func start(_ kernel: inout KernelResources) {
        let memory = kernel.physicalMemory
        let resources = kernel
        for device in PCIBus.enumerate(PortConfigurationAccess()) where device.vendorID == 0x1AF4 {
            // 0x1041: a modern network card; 0x1000: a transitional one (subsystem 1 = net).
            let isNet = device.deviceID == 0x1041 || (device.deviceID == 0x1000 && device.read32(offset: 0x2C) >> 16 == 1)
            guard isNet else { continue }
            do {
                let map = { (address: PhysAddr, size: Int) in resources.mappedDeviceWindow(at: address, size: size) }
                let transport = try VirtioPCITransport(device: device, map: map)
                let card = try VirtioNetDevice(transport: transport, interruptTable: MSIXTable(device: device, map: map)) {
                    guard let frame = Frames.allocate(), let page = memory.dmaBuffer(at: frame, size: 4096) else { return nil }
                    page.region.fill(0, count: 4096)
                    return page
                }
                VirtioNet.cards.withLock { $0.append(card) }
                print("virtio-net: \(device.address) MAC \(card.macAddress)")
            } catch {
                print("virtio-net: \(device.address) not usable: \(error)")
            }
        }
    }
}

/// The network cards the kernel brought up.
public enum VirtioNet {
    static let cards = InterruptSafeLock<[VirtioNetDevice]>([])

    /// The first card, if there is one.
    public static var first: VirtioNetDevice? { cards.withLock { $0.first } }
}

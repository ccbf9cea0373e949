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
        for device in PCIBus.enumerate(PortConfigurationAccess()) where device.vendorID == 0x1AF4 {
            // 0x1041: a modern network card; 0x1000: a transitional one (subsystem 1 = net).
            let isNet = device.deviceID == 0x1041 || (device.deviceID == 0x1000 && device.read32(offset: 0x2C) >> 16 == 1)
            guard isNet else { continue }
            do {
                let card = try bringUp(device, windows: kernel.deviceWindows)
                print("virtio-net: \(device.address) MAC \(card.macAddress)")
                VirtioNet.add(card)
            } catch {
                print("virtio-net: \(device.address) not usable: \(error)")
            }
        }
    }

    /// Brings one card up; it belongs to nobody else yet, so it can be handed on.
    static func bringUp(_ device: PCIDevice, windows: DeviceWindows) throws(VirtioError) -> sending VirtioNetDevice {
        let map = { (address: PhysAddr, size: Int) in windows.mapped(at: address, size: size) }
        let function = device.address
        guard let queueAddresses = windows.virtioQueueAddresses(of: function, map: { KernelMemory.mapUncached($0) }) else { throw .cannotMap }
        let transport = try VirtioPCITransport(device: device, queueAddresses: queueAddresses, map: map)
        let table = windows.messageInterruptTable(of: function, map: { KernelMemory.mapUncached($0) })
        return try VirtioNetDevice(transport: transport, interruptTable: table, descriptorTable: { size in
            guard let frame = Frames.allocate() else { return nil }
            return VirtqueueDescriptorTable(frame: frame, size: size)
        }) {
            guard let frame = Frames.allocate() else { return nil }
            frame.fill(0)
            return frame.intoDMABuffer()
        }
    }
}

/// The network cards the kernel brought up.
public enum VirtioNet {
    static let cards = InterruptSafeLock<[VirtioNetDevice]>([])

    /// Puts a card nobody else holds into the table.
    static func add(_ card: sending VirtioNetDevice) {
        cards.withLock(moving: card) { cards, card in cards.append(card) }
    }

    /// Takes every card brought up: they leave the table, so their one owner (the thread that
    /// took them) is the only code that can drive them.
    public static func takeCards() -> sending [VirtioNetDevice] {
        cards.exchange(with: [])
    }
}

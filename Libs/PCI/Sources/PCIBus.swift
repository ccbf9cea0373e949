import X86

/// Finds PCI functions.
public enum PCIBus {
    /// Every function on bus 0 and on the buses behind PCI-to-PCI bridges, in address order.
    /// A bus is visited once, however the bridges are numbered.
    public static func enumerate(_ access: any PCIConfigurationAccess) -> [PCIDevice] {
        var devices: [PCIDevice] = []
        var pending: [UInt8] = [0]
        var visited: Set<UInt8> = []
        while let bus = pending.popLast() {
            guard visited.insert(bus).inserted else { continue }
            for device in 0..<UInt8(32) {
                guard let first = PCIDevice(access: access, address: PCIAddress(bus: bus, device: device, function: 0)) else { continue }
                let functions: UInt8 = first.headerType & 0x80 != 0 ? 8 : 1
                for function in 0..<functions {
                    guard let found = function == 0 ? first
                            : PCIDevice(access: access, address: PCIAddress(bus: bus, device: device, function: function)) else { continue }
                    devices.append(found)
                    if found.classCode.base == 0x06, found.classCode.sub == 0x04 {   // PCI-to-PCI bridge
                        let secondary = UInt8(truncatingIfNeeded: found.read32(offset: 0x18) >> 8)
                        if secondary != 0 { pending.append(secondary) }
                    }
                }
            }
        }
        return devices
    }
}

import X86

/// A function's MSI-X table (PCI Local Bus 3.0 §6.8.2): one message per vector entry, in a
/// BAR the kernel maps.
///
/// Guarantees: entries are written only inside the table (`index < size`); an entry is
/// unmasked only after its message is written; MSI-X is enabled with the function mask
/// cleared, and legacy INTx is disabled while it is.
public struct MSIXTable {
    public let device: PCIDevice
    let capability: UInt8
    let table: MMIOWindow
    /// Entries in the table.
    public let size: Int

    /// The table of `device`, mapped by `map`; nil when the device has no MSI-X capability
    /// or the table cannot be mapped.
    public init?(device: PCIDevice, map: (PhysAddr, Int) -> MMIOWindow?) {
        guard let capability = device.capabilities.first(where: { $0.id == 0x11 })?.offset else { return nil }
        let control = device.read16(offset: capability + 2)
        let size = Int(control & 0x7FF) + 1
        let location = device.read32(offset: capability + 4)
        guard case .memory(let base, let barSize, _)? = device.bar(Int(location & 7)) else { return nil }
        let offset = UInt64(location & ~7)
        guard offset + UInt64(size * 16) <= barSize, let table = map(PhysAddr(base + offset), size * 16) else { return nil }
        self.device = device
        self.capability = capability
        self.table = table
        self.size = size
    }

    /// Points entry `index` at `message` and unmasks it.
    public func set(_ index: Int, to message: MessageSignalledInterrupt) {
        precondition(index >= 0 && index < size, "MSI-X entry outside the table")
        let entry = index * 16
        table.write(UInt32(1), at: entry + 12)   // masked while it changes
        table.write(UInt32(truncatingIfNeeded: message.address), at: entry)
        table.write(UInt32(truncatingIfNeeded: message.address >> 32), at: entry + 4)
        table.write(message.data, at: entry + 8)
        table.write(UInt32(0), at: entry + 12)
    }

    /// Turns MSI-X on for the function (and its legacy interrupt off).
    public func enable() {
        device.disableLegacyInterrupts()
        device.setMessageInterrupts(capability: capability, enabled: true)
    }
}

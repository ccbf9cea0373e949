import X86

/// Reads and writes PCI configuration space (32-bit, aligned).
public protocol PCIConfigurationAccess: AnyObject, Sendable {
    func read32(_ address: PCIAddress, offset: UInt8) -> UInt32
    func write32(_ address: PCIAddress, offset: UInt8, _ value: UInt32)
}

/// Configuration mechanism #1: the address to port 0xCF8, the data through port 0xCFC
/// (PCI Local Bus 3.0 §3.2.2.3.2), as on `pc` and `q35` machines.
///
/// Guarantees: every access selects its register and transfers it with interrupts off, so
/// an interrupt handler on this processor cannot interleave its own access; offsets are
/// masked to dword alignment.
public final class PortConfigurationAccess: PCIConfigurationAccess {
    let addressPort = Port<UInt32>(0xCF8)
    let dataPort = Port<UInt32>(0xCFC)
    let lock = InterruptSafeLock(())

    public init() {}

    func select(_ address: PCIAddress, _ offset: UInt8) {
        addressPort.write(0x8000_0000 | UInt32(address.bus) << 16 | UInt32(address.device) << 11
                          | UInt32(address.function) << 8 | UInt32(offset & 0xFC))
    }

    public func read32(_ address: PCIAddress, offset: UInt8) -> UInt32 {
        lock.withLock { _ in
            select(address, offset)
            return dataPort.read()
        }
    }

    public func write32(_ address: PCIAddress, offset: UInt8, _ value: UInt32) {
        lock.withLock { _ in
            select(address, offset)
            dataPort.write(value)
        }
    }
}

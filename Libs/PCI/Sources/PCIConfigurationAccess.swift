import X86

/// Reads PCI configuration space and makes the few typed changes drivers need.
///
/// There is no raw write: a configuration write can move a BAR over RAM or aim an MSI
/// anywhere, so the machine's implementation goes through X86's fenced
/// ``X86/PCIConfigurationSpace``, which offers only these typed writes.
public protocol PCIConfigurationAccess: AnyObject, Sendable {
    /// The dword at `offset` (a multiple of 4).
    func read32(_ address: PCIAddress, offset: UInt8) -> UInt32
    /// Sets and clears command-register bits.
    func setCommand(_ address: PCIAddress, set: PCIConfigurationSpace.Command, clear: PCIConfigurationSpace.Command)
    /// The sizing mask of the BAR at `offset` (its value restored), or nil for a non-BAR offset.
    func sizeBAR(_ address: PCIAddress, offset: UInt8) -> UInt32?
    /// Switches the MSI-X capability at `capability` on or off; false if it is none.
    func setMessageInterrupts(_ address: PCIAddress, capability: UInt8, enabled: Bool, functionMasked: Bool) -> Bool
}

/// Configuration mechanism #1 (ports 0xCF8/0xCFC), as on `pc` and `q35` machines, through
/// X86's ``X86/PCIConfigurationSpace``.
public final class PortConfigurationAccess: PCIConfigurationAccess {
    public init() {}

    public func read32(_ address: PCIAddress, offset: UInt8) -> UInt32 {
        PCIConfigurationSpace.read32(address, offset: offset)
    }

    public func setCommand(_ address: PCIAddress, set: PCIConfigurationSpace.Command, clear: PCIConfigurationSpace.Command) {
        PCIConfigurationSpace.setCommand(address, set: set, clear: clear)
    }

    public func sizeBAR(_ address: PCIAddress, offset: UInt8) -> UInt32? {
        PCIConfigurationSpace.sizeBAR(address, offset: offset)
    }

    public func setMessageInterrupts(_ address: PCIAddress, capability: UInt8, enabled: Bool, functionMasked: Bool) -> Bool {
        PCIConfigurationSpace.setMessageInterrupts(address, capability: capability, enabled: enabled,
                                                   functionMasked: functionMasked)
    }
}

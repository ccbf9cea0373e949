import X86

/// One PCI function and what its configuration space says (type 0 header).
///
/// Guarantees: BARs are decoded from the header (sized by the standard write-all-ones probe,
/// with decoding off meanwhile); the capability walk follows the list only inside the
/// configuration space, visits at most 48 entries and stops on a malformed pointer, so a
/// looping or broken list cannot hang it.
public struct PCIDevice: Sendable {
    /// A base address register.
    public enum BAR: Sendable, Equatable {
        case memory(address: UInt64, size: UInt64, prefetchable: Bool)
        case io(port: UInt16, size: UInt32)
    }

    public let address: PCIAddress
    public let vendorID: UInt16
    public let deviceID: UInt16
    /// Class, subclass, programming interface.
    public let classCode: (base: UInt8, sub: UInt8, interface: UInt8)
    public let headerType: UInt8

    let access: any PCIConfigurationAccess

    init?(access: any PCIConfigurationAccess, address: PCIAddress) {
        let id = access.read32(address, offset: 0)
        guard id & 0xFFFF != 0xFFFF else { return nil }
        self.access = access
        self.address = address
        vendorID = UInt16(truncatingIfNeeded: id)
        deviceID = UInt16(truncatingIfNeeded: id >> 16)
        let classRegister = access.read32(address, offset: 8)
        classCode = (UInt8(truncatingIfNeeded: classRegister >> 24), UInt8(truncatingIfNeeded: classRegister >> 16),
                     UInt8(truncatingIfNeeded: classRegister >> 8))
        headerType = UInt8(truncatingIfNeeded: access.read32(address, offset: 12) >> 16)
    }

    public func read32(offset: UInt8) -> UInt32 { access.read32(address, offset: offset) }
    public func read8(offset: UInt8) -> UInt8 { UInt8(truncatingIfNeeded: read32(offset: offset & 0xFC) >> (UInt32(offset & 3) * 8)) }
    public func read16(offset: UInt8) -> UInt16 { UInt16(truncatingIfNeeded: read32(offset: offset & 0xFC) >> (UInt32(offset & 2) * 8)) }

    /// BAR `index` (0...5), or nil if it is unused (or the upper half of a 64-bit BAR).
    public func bar(_ index: Int) -> BAR? {
        guard headerType & 0x7F == 0, (0..<6).contains(index) else { return nil }
        let offset = UInt8(0x10 + index * 4)
        let original = read32(offset: offset)
        guard let lowMask = access.sizeBAR(address, offset: offset) else { return nil }
        if original & 1 == 1 {
            let mask = lowMask & 0xFFFF_FFFC
            guard mask != 0 else { return nil }
            return .io(port: UInt16(truncatingIfNeeded: original & 0xFFFC), size: (~mask & 0xFFFF) &+ 1)
        }
        let is64 = (original >> 1) & 3 == 2
        var mask = UInt64(lowMask & 0xFFFF_FFF0)
        var base = UInt64(original & 0xFFFF_FFF0)
        if is64 && index < 5 {
            let high = read32(offset: offset + 4)
            mask |= UInt64(access.sizeBAR(address, offset: offset + 4) ?? 0) << 32
            base |= UInt64(high) << 32
        } else {
            mask |= 0xFFFF_FFFF_0000_0000
        }
        guard mask & 0xFFFF_FFF0 != 0 || mask >> 32 != 0xFFFF_FFFF else { return nil }
        return .memory(address: base, size: ~mask &+ 1, prefetchable: original & 8 != 0)
    }

    /// The capability list: (ID, offset of the capability) pairs.
    public var capabilities: [(id: UInt8, offset: UInt8)] {
        guard read32(offset: 4) >> 16 & 0x10 != 0 else { return [] }   // status: capability list
        var result: [(id: UInt8, offset: UInt8)] = []
        var pointer = read8(offset: 0x34) & 0xFC
        while pointer >= 0x40 && result.count < 48 {
            result.append((read8(offset: pointer), pointer))
            pointer = read8(offset: pointer + 1) & 0xFC
        }
        return result
    }

    /// Turns on memory and I/O decoding and bus mastering (needed for DMA).
    public func enable() {
        access.setCommand(address, set: [.ioSpace, .memorySpace, .busMaster], clear: [])
    }

    /// Legacy INTx interrupts off (while message-signalled interrupts are on).
    public func disableLegacyInterrupts() {
        access.setCommand(address, set: [.interruptDisable], clear: [])
    }

    /// Switches the MSI-X capability at `capability` on (function mask off) or off.
    @discardableResult
    public func setMessageInterrupts(capability: UInt8, enabled: Bool) -> Bool {
        access.setMessageInterrupts(address, capability: capability, enabled: enabled, functionMasked: false)
    }

    /// The legacy interrupt line the firmware assigned (0xFF: none).
    public var interruptLine: UInt8 { read8(offset: 0x3C) }
}

import X86

/// The root of the ACPI tables and the tables it lists (ACPI 6.5 §5.2.5–§5.2.8).
///
/// Guarantees: a table is only handed out after its header's length fits in physical memory
/// and its bytes sum to zero; tables are looked up by their 4-character signature.
public struct SystemDescriptionTables: Sendable {
    /// Physical memory the tables are read through.
    let memory: PhysicalMemoryWindow
    /// Physical addresses of the listed tables.
    public let tableAddresses: [PhysAddr]

    /// The size of the common table header.
    static let headerSize = 36

    /// Reads the RSDP at `rsdp` and the RSDT or XSDT it points to.
    public init(rsdp: PhysAddr, memory: PhysicalMemoryWindow) throws(ACPIError) {
        self.memory = memory
        guard let root = memory.region(at: rsdp, size: 20) else { throw .outsideMemory(rsdp.value) }
        guard root.bytes(at: 0, count: 8) == Array("RSD PTR ".utf8) else { throw .badSignature("RSD PTR") }
        guard SystemDescriptionTables.checksum(root, count: 20) == 0 else { throw .badChecksum("RSDP") }
        let revision = root.load(as: UInt8.self, at: 15)
        var addresses: [PhysAddr] = []
        if revision >= 2 {
            guard let extended = memory.region(at: rsdp, size: 36) else { throw .outsideMemory(rsdp.value) }
            let length = Int(extended.load(as: UInt32.self, at: 20))
            guard length >= 36, let full = memory.region(at: rsdp, size: length) else { throw .badLength("RSDP") }
            guard SystemDescriptionTables.checksum(full, count: length) == 0 else { throw .badChecksum("RSDP (extended)") }
            let xsdt = try SystemDescriptionTables.table(at: PhysAddr(extended.load(as: UInt64.self, at: 24)), signature: "XSDT", memory: memory)
            let count = (xsdt.size - SystemDescriptionTables.headerSize) / 8
            for index in 0..<count { addresses.append(PhysAddr(xsdt.load(as: UInt64.self, at: SystemDescriptionTables.headerSize + index * 8))) }
        } else {
            let rsdt = try SystemDescriptionTables.table(at: PhysAddr(UInt64(root.load(as: UInt32.self, at: 16))), signature: "RSDT", memory: memory)
            let count = (rsdt.size - SystemDescriptionTables.headerSize) / 4
            for index in 0..<count { addresses.append(PhysAddr(UInt64(rsdt.load(as: UInt32.self, at: SystemDescriptionTables.headerSize + index * 4)))) }
        }
        tableAddresses = addresses
    }

    /// The validated table with `signature`, as a region exactly its length long.
    public func table(_ signature: String) throws(ACPIError) -> MemoryRegion {
        for address in tableAddresses {
            guard let header = memory.region(at: address, size: 4) else { continue }
            if header.bytes(at: 0, count: 4) == Array(signature.utf8) {
                return try SystemDescriptionTables.table(at: address, signature: signature, memory: memory)
            }
        }
        throw .missingTable(signature)
    }

    /// The table at `address`, checked: signature, length, checksum.
    static func table(at address: PhysAddr, signature: String, memory: PhysicalMemoryWindow) throws(ACPIError) -> MemoryRegion {
        guard let header = memory.region(at: address, size: headerSize) else { throw .outsideMemory(address.value) }
        guard header.bytes(at: 0, count: 4) == Array(signature.utf8) else { throw .badSignature(signature) }
        let length = Int(header.load(as: UInt32.self, at: 4))
        guard length >= headerSize, length <= 1 << 20 else { throw .badLength(signature) }
        guard let table = memory.region(at: address, size: length) else { throw .outsideMemory(address.value) }
        guard checksum(table, count: length) == 0 else { throw .badChecksum(signature) }
        return table
    }

    /// The byte sum of the first `count` bytes, modulo 256.
    static func checksum(_ region: MemoryRegion, count: Int) -> UInt8 {
        var sum: UInt8 = 0
        for offset in 0..<count { sum &+= region.load(as: UInt8.self, at: offset) }
        return sum
    }
}

import X86

/// The MADT (signature "APIC", ACPI 6.5 §5.2.12): the interrupt controllers of the machine.
///
/// Guarantees: every entry's length is checked against the table before any field of it is
/// read; entries of unknown types are skipped; a malformed entry ends parsing with an error.
public struct MultipleAPICDescriptionTable: Sendable, Equatable {
    /// A processor's local APIC.
    public struct Processor: Sendable, Equatable {
        /// Its APIC ID (the target of IPIs).
        public let apicID: UInt32
        /// Whether it is enabled (or can be brought online).
        public let usable: Bool
        public init(apicID: UInt32, usable: Bool) { self.apicID = apicID; self.usable = usable }
    }

    /// An I/O APIC.
    public struct IOAPIC: Sendable, Equatable {
        public let id: UInt8
        /// The physical address of its registers.
        public let address: PhysAddr
        /// The first global system interrupt it handles.
        public let interruptBase: UInt32
        public init(id: UInt8, address: PhysAddr, interruptBase: UInt32) {
            self.id = id; self.address = address; self.interruptBase = interruptBase
        }
    }

    /// The physical address of the local APICs' register page.
    public let localAPICAddress: PhysAddr
    /// The processors, in table order (the first is normally the boot processor).
    public let processors: [Processor]
    /// The I/O APICs.
    public let ioAPICs: [IOAPIC]

    /// Reads the MADT from the ACPI tables.
    public init(tables: SystemDescriptionTables) throws(ACPIError) {
        try self.init(table: try tables.table("APIC"))
    }

    /// Reads a validated MADT region.
    public init(table: MemoryRegion) throws(ACPIError) {
        guard table.size >= 44 else { throw .badLength("APIC") }
        localAPICAddress = PhysAddr(UInt64(table.load(as: UInt32.self, at: 36)))
        var processors: [Processor] = []
        var ioAPICs: [IOAPIC] = []
        var offset = 44
        while offset + 2 <= table.size {
            let type = table.load(as: UInt8.self, at: offset)
            let length = Int(table.load(as: UInt8.self, at: offset + 1))
            guard length >= 2, offset + length <= table.size else { throw .badLength("APIC entry") }
            switch type {
            case 0 where length >= 8:     // processor local APIC
                let flags = table.load(as: UInt32.self, at: offset + 4)
                processors.append(Processor(apicID: UInt32(table.load(as: UInt8.self, at: offset + 3)), usable: flags & 0b11 != 0))
            case 1 where length >= 12:    // I/O APIC
                ioAPICs.append(IOAPIC(id: table.load(as: UInt8.self, at: offset + 2),
                                      address: PhysAddr(UInt64(table.load(as: UInt32.self, at: offset + 4))),
                                      interruptBase: table.load(as: UInt32.self, at: offset + 8)))
            case 9 where length >= 16:    // processor local x2APIC
                let flags = table.load(as: UInt32.self, at: offset + 8)
                processors.append(Processor(apicID: table.load(as: UInt32.self, at: offset + 4), usable: flags & 0b11 != 0))
            case 0, 1, 9:
                throw .badLength("APIC entry")
            default:
                break
            }
            offset += length
        }
        self.processors = processors
        self.ioAPICs = ioAPICs
    }
}

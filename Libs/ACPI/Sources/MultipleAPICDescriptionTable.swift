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

    /// An ISA interrupt that reaches a different I/O APIC line than its number (type 2).
    public struct InterruptOverride: Sendable, Equatable {
        /// The ISA IRQ.
        public let source: UInt8
        /// The global system interrupt it arrives on.
        public let globalInterrupt: UInt32
        /// MPS INTI flags: polarity in bits 0-1 (3 = active low), trigger in bits 2-3 (3 = level).
        public let flags: UInt16
        public init(source: UInt8, globalInterrupt: UInt32, flags: UInt16) {
            self.source = source; self.globalInterrupt = globalInterrupt; self.flags = flags
        }
    }

    /// The physical address of the local APICs' register page.
    public let localAPICAddress: PhysAddr
    /// The processors, in table order (the first is normally the boot processor).
    public let processors: [Processor]
    /// The I/O APICs.
    public let ioAPICs: [IOAPIC]
    /// The ISA interrupt overrides.
    public let overrides: [InterruptOverride]

    /// The global system interrupt ISA `irq` arrives on, with its polarity and trigger
    /// (ISA defaults: active high, edge). Without an override, IRQ 0 (the PIT) is taken to be
    /// on GSI 2, where PC-compatible machines wire it (I/O APIC input 0 carries the legacy
    /// PIC's output); QEMU's microvm omits that override.
    public func globalInterrupt(forISA irq: UInt8) -> (line: UInt32, activeLow: Bool, levelTriggered: Bool) {
        for override in overrides where override.source == irq {
            return (override.globalInterrupt, override.flags & 3 == 3, (override.flags >> 2) & 3 == 3)
        }
        return (irq == 0 ? 2 : UInt32(irq), false, false)
    }

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
        var overrides: [InterruptOverride] = []
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
            case 2 where length >= 10:    // interrupt source override
                overrides.append(InterruptOverride(source: table.load(as: UInt8.self, at: offset + 3),
                                                   globalInterrupt: table.load(as: UInt32.self, at: offset + 4),
                                                   flags: table.load(as: UInt16.self, at: offset + 8)))
            case 9 where length >= 16:    // processor local x2APIC
                let flags = table.load(as: UInt32.self, at: offset + 8)
                processors.append(Processor(apicID: table.load(as: UInt32.self, at: offset + 4), usable: flags & 0b11 != 0))
            case 0, 1, 2, 9:
                throw .badLength("APIC entry")
            default:
                break
            }
            offset += length
        }
        self.processors = processors
        self.ioAPICs = ioAPICs
        self.overrides = overrides
    }
}

import Testing
import ACPI
import X86

/// Writes ACPI tables into simulated physical memory, with correct checksums.
struct TableBuilder {
    let memory = SimulatedMemory(size: 0x4000, physicalBase: PhysAddr(0xE_0000))
    var region: MemoryRegion { memory.region }

    func offset(_ address: UInt64) -> Int { Int(address - 0xE_0000) }

    /// Fixes the checksum byte at `checksumOffset` so `count` bytes from `start` sum to zero.
    func seal(at address: UInt64, count: Int, checksumOffset: Int) {
        region.store(UInt8(0), at: offset(address) + checksumOffset)
        var sum: UInt8 = 0
        for byte in region.bytes(at: offset(address), count: count) { sum &+= byte }
        region.store(UInt8(0) &- sum, at: offset(address) + checksumOffset)
    }

    func header(at address: UInt64, signature: String, length: Int) {
        region.copy(bytes: Array(signature.utf8), to: offset(address))
        region.store(UInt32(length), at: offset(address) + 4)
        region.store(UInt8(1), at: offset(address) + 8)
    }

    /// RSDP v2 at 0xE0000 → XSDT at 0xE1000 → MADT at 0xE2000 with two CPUs and an I/O APIC.
    func build(secondCPUEnabled: Bool = true, corruptMADT: Bool = false, rsdpRevision: UInt8 = 2) {
        let rsdp: UInt64 = 0xE_0000, xsdt: UInt64 = 0xE_1000, rsdt: UInt64 = 0xE_1800, madt: UInt64 = 0xE_2000
        region.copy(bytes: Array("RSD PTR ".utf8), to: offset(rsdp))
        region.store(rsdpRevision, at: offset(rsdp) + 15)
        region.store(UInt32(rsdt), at: offset(rsdp) + 16)
        region.store(UInt32(36), at: offset(rsdp) + 20)
        region.store(xsdt, at: offset(rsdp) + 24)
        seal(at: rsdp, count: 20, checksumOffset: 8)
        seal(at: rsdp, count: 36, checksumOffset: 32)

        header(at: xsdt, signature: "XSDT", length: 36 + 8)
        region.store(madt, at: offset(xsdt) + 36)
        seal(at: xsdt, count: 44, checksumOffset: 9)
        header(at: rsdt, signature: "RSDT", length: 36 + 4)
        region.store(UInt32(madt), at: offset(rsdt) + 36)
        seal(at: rsdt, count: 40, checksumOffset: 9)

        let entries: [[UInt8]] = [
            [0, 8, 0, 0, 1, 0, 0, 0],                                     // CPU 0, APIC 0, enabled
            [0, 8, 1, 1, secondCPUEnabled ? 1 : 0, 0, 0, 0],              // CPU 1, APIC 1
            [1, 12, 2, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0],            // I/O APIC 2 at 0xFEC00000, GSI 0
            [2, 10, 0, 0, 2, 0, 0, 0, 0, 0],                              // an interrupt override (skipped)
        ]
        let length = 44 + entries.reduce(0) { $0 + $1.count }
        header(at: madt, signature: "APIC", length: length)
        region.store(UInt32(0xFEE0_0000), at: offset(madt) + 36)
        var cursor = offset(madt) + 44
        for entry in entries { region.copy(bytes: entry, to: cursor); cursor += entry.count }
        if corruptMADT { region.store(UInt8(200), at: offset(madt) + 44 + 8 + 1) }   // second entry's length
        seal(at: madt, count: length, checksumOffset: 9)
    }
}

@Suite("ACPI tables")
struct ACPITests {
    @Test func readsProcessorsAndIOAPICsFromTheMADT() throws {
        let builder = TableBuilder()
        builder.build()
        let tables = try SystemDescriptionTables(rsdp: PhysAddr(0xE_0000), memory: builder.memory.window)
        let madt = try MultipleAPICDescriptionTable(tables: tables)
        #expect(madt.localAPICAddress == PhysAddr(0xFEE0_0000))
        #expect(madt.processors == [.init(apicID: 0, usable: true), .init(apicID: 1, usable: true)])
        #expect(madt.ioAPICs == [.init(id: 2, address: PhysAddr(0xFEC0_0000), interruptBase: 0)])
        #expect(madt.overrides == [.init(source: 0, globalInterrupt: 2, flags: 0)])
        #expect(madt.globalInterrupt(forISA: 0) == (2, false, false))
        #expect(madt.globalInterrupt(forISA: 4) == (4, false, false))
        let withoutOverrides = try MultipleAPICDescriptionTable(table: builder.region.subregion(offset: 0x2000, size: 44 + 8))
        #expect(withoutOverrides.globalInterrupt(forISA: 0) == (2, false, false), "IRQ 0 defaults to GSI 2")
    }

    @Test func followsTheRSDTForRevisionZero() throws {
        let builder = TableBuilder()
        builder.build(secondCPUEnabled: false, rsdpRevision: 0)
        let madt = try MultipleAPICDescriptionTable(tables: try SystemDescriptionTables(rsdp: PhysAddr(0xE_0000), memory: builder.memory.window))
        #expect(madt.processors.map(\.usable) == [true, false])
    }

    @Test func refusesBadChecksumsSignaturesAndLengths() throws {
        let builder = TableBuilder()
        builder.build()
        builder.region.store(UInt8(0x55), at: 0x2000 + 40)      // MADT flags changed, checksum now wrong
        let tables = try SystemDescriptionTables(rsdp: PhysAddr(0xE_0000), memory: builder.memory.window)
        #expect(throws: ACPIError.badChecksum("APIC")) { _ = try MultipleAPICDescriptionTable(tables: tables) }
        #expect(throws: ACPIError.missingTable("HPET")) { _ = try tables.table("HPET") }
        #expect(throws: ACPIError.badSignature("RSD PTR")) {
            _ = try SystemDescriptionTables(rsdp: PhysAddr(0xE_1000), memory: builder.memory.window)
        }
        #expect(throws: ACPIError.outsideMemory(0x10_0000)) {
            _ = try SystemDescriptionTables(rsdp: PhysAddr(0x10_0000), memory: builder.memory.window)
        }
        let corrupt = TableBuilder()
        corrupt.build(corruptMADT: true)
        let corruptTables = try SystemDescriptionTables(rsdp: PhysAddr(0xE_0000), memory: corrupt.memory.window)
        #expect(throws: ACPIError.badLength("APIC entry")) { _ = try MultipleAPICDescriptionTable(tables: corruptTables) }
    }
}

import Testing
import Boot
import X86

/// Lays out an hvm_start_info as QEMU does, in simulated physical memory at 0x1000.
struct StartInfoFixture {
    let memory = SimulatedMemory(size: 0x4000, physicalBase: PhysAddr(0x1000))
    let startInfo = PhysAddr(0x1000)
    let memoryMap = PhysAddr(0x1100)
    let commandLine = PhysAddr(0x2000)

    init(version: UInt32 = 1, entries: [(UInt64, UInt64, UInt32)] = StartInfoFixture.qemu2M,
         commandLineText: String? = "crash=bounds loglevel=3", modules: [(address: UInt64, size: UInt64)] = [],
         moduleCount: UInt32? = nil) {
        let region = memory.region
        // The module list at 0x1800, as QEMU's PVH loader writes it.
        region.store(moduleCount ?? UInt32(modules.count), at: 12)
        region.store(UInt64(0x1800), at: 16)
        for (index, module) in modules.enumerated() {
            region.store(module.address, at: 0x800 + index * 32)
            region.store(module.size, at: 0x800 + index * 32 + 8)
        }
        region.store(UInt32(0x336E_C578), at: 0)
        region.store(version, at: 4)
        region.store(UInt64(0xF_5A00), at: 32)                  // RSDP
        region.store(memoryMap.value, at: 40)
        region.store(UInt32(entries.count), at: 48)
        for (index, entry) in entries.enumerated() {
            let offset = 0x100 + index * 24
            region.store(entry.0, at: offset)
            region.store(entry.1, at: offset + 8)
            region.store(entry.2, at: offset + 16)
        }
        if let commandLineText {
            region.store(commandLine.value, at: 24)
            region.copy(bytes: Array(commandLineText.utf8) + [0], to: 0x1000)
        }
    }

    /// The map QEMU's microvm reports for `-m 2M`, padded with an empty entry.
    static let qemu2M: [(UInt64, UInt64, UInt32)] = [
        (0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0xD0000, 0x20000, 4), (0xF0000, 0x10000, 2),
        (0x10_0000, 0x10_0000, 1), (0, 0, 0),
    ]

    func parse() throws(BootInfo.ParseError) -> BootInfo {
        try BootInfo.parse(startInfoAt: startInfo, in: memory.window)
    }
}

@Suite("Parsing the PVH start info")
struct BootInfoTests {
    @Test func readsTheMemoryMapCommandLineAndRSDP() throws {
        let fixture = StartInfoFixture()
        let info = try fixture.parse()
        #expect(info.memoryMap.entries.count == 5, "the empty padding entry is dropped")
        #expect(info.memoryMap.entries[0] == MemoryMapEntry(range: PhysicalRange(start: PhysAddr(0), size: 0x9FC00), kind: .usable))
        #expect(info.memoryMap.entries[2].kind == .acpiNonVolatile)
        #expect(info.memoryMap.usableBytes == 0x9FC00 + 0x10_0000)
        #expect(info.commandLine == "crash=bounds loglevel=3")
        #expect(info.arguments.value(of: "crash") == "bounds")
        #expect(info.rsdp == PhysAddr(0xF_5A00))
        #expect(info.bootStructures.contains(PhysicalRange(start: fixture.startInfo, size: 56)))
        #expect(info.bootStructures.contains(PhysicalRange(start: fixture.commandLine, size: 24)))
    }

    @Test func anAbsentCommandLineIsEmpty() throws {
        let info = try StartInfoFixture(commandLineText: nil).parse()
        #expect(info.commandLine.isEmpty)
    }

    @Test func refusesAWrongMagicNumber() {
        let fixture = StartInfoFixture()
        fixture.memory.region.store(UInt32(0x1BAD_B002), at: 0)
        #expect(throws: BootInfo.ParseError.badMagic(0x1BAD_B002)) { try fixture.parse() }
    }

    @Test func refusesVersionZeroWhichHasNoMemoryMap() {
        #expect(throws: BootInfo.ParseError.noMemoryMap) { try StartInfoFixture(version: 0).parse() }
    }

    @Test func refusesAnAbsurdEntryCount() {
        let fixture = StartInfoFixture()
        fixture.memory.region.store(UInt32(100_000), at: 48)
        #expect(throws: BootInfo.ParseError.tooManyMemoryMapEntries(100_000)) { try fixture.parse() }
    }

    @Test func refusesStructuresOutsidePhysicalMemory() {
        let fixture = StartInfoFixture()
        fixture.memory.region.store(UInt64(0x8000_0000), at: 40)   // memory map far away
        #expect(throws: BootInfo.ParseError.structureOutsideMemory) { try fixture.parse() }
        #expect(throws: BootInfo.ParseError.startInfoOutsideMemory) {
            try BootInfo.parse(startInfoAt: PhysAddr(0x4FF0), in: fixture.memory.window)
        }
    }

    @Test func aCommandLinePastTheLimitOrWithoutTerminatorIsTruncatedNotRefused() throws {
        let fixture = StartInfoFixture()
        fixture.memory.region.fill(0x41, offset: 0x1000, count: 0x3000)  // 'A' to the end of memory
        let info = try fixture.parse()
        #expect(info.commandLine == String(repeating: "A", count: 4096))
        #expect(info.bootStructures.contains(PhysicalRange(start: fixture.commandLine, size: 4096)))
    }

    @Test func aCommandLineOfAnyBytesParses() throws {
        var state: UInt64 = 3
        for _ in 0..<200 {
            let fixture = StartInfoFixture()
            let count = Int(state % 5000)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: state >> 40) | 1)   // no NUL: it would end the line early
            }
            fixture.memory.region.copy(bytes: Array(bytes.prefix(0x3000 - 1)) + [0], to: 0x1000)
            let info = try fixture.parse()
            let line = info.arguments
            #expect(info.commandLine.utf8.count >= min(count, 4096) / 3, "decoded, invalid UTF-8 replaced")
            for argument in line.arguments { #expect(!argument.key.utf8.contains(0x20)) }
            _ = line.value(of: "ip")
        }
    }
}

@Suite("The kernel command line")
struct KernelCommandLineTests {
    @Test func splitsWordsAtTheFirstEqualsSign() {
        let line = KernelCommandLine("  net=10.0.2.15/24 quiet  url=a=b crash=x crash=y ")
        #expect(line.arguments.count == 5)
        #expect(line.value(of: "net") == "10.0.2.15/24")
        #expect(line.value(of: "quiet") == "")
        #expect(line.value(of: "url") == "a=b")
        #expect(line.value(of: "crash") == "y", "the last word wins")
        #expect(line.value(of: "missing") == nil)
        #expect(KernelCommandLine("").arguments.isEmpty)
    }

    /// QEMU's `-initrd` arrives as the PVH module list: each module is reported and kept from
    /// the allocators.
    @Test func bootModulesAreFoundAndReservedForTheirOwner() throws {
        let info = try StartInfoFixture(modules: [(0x3000, 0x1234), (0x4800, 0)]).parse()
        #expect(info.modules == [PhysicalRange(start: PhysAddr(0x3000), size: 0x1234), PhysicalRange(start: PhysAddr(0x4800), size: 0)])
        #expect(info.bootStructures.contains(PhysicalRange(start: PhysAddr(0x3000), size: 0x1234)))
        #expect(info.bootStructures.contains(PhysicalRange(start: PhysAddr(0x1800), size: 64)), "and the list itself")
        #expect(try StartInfoFixture().parse().modules.isEmpty)
    }

    @Test func aModuleOutsideMemoryOrAnImpossibleCountIsRefused() {
        #expect(throws: BootInfo.ParseError.structureOutsideMemory) { try StartInfoFixture(modules: [(0x4000, 0x2000)]).parse() }
        #expect(throws: BootInfo.ParseError.structureOutsideMemory) { try StartInfoFixture(modules: [(0xFFFF_FFFF_FFFF_F000, 0x2000)]).parse() }
        #expect(throws: BootInfo.ParseError.tooManyModules(17)) { try StartInfoFixture(moduleCount: 17).parse() }
    }
}

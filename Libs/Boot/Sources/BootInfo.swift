import X86

/// What the kernel learned at boot, in safe Swift values: the memory map, the command line,
/// where ACPI's RSDP is, the boot modules (the initrd), and the boot timing.
///
/// Guarantees: a `BootInfo` is only made by ``parse(startInfoAt:in:)`` from a start info
/// structure that passed every check (magic, version, every structure inside the physical
/// memory window, entry and module counts and string length within bounds), or built directly
/// in tests.
public struct BootInfo: Sendable {
    /// The VMM's memory map.
    public var memoryMap: MemoryMap
    /// The kernel command line (empty if the VMM passed none): its first
    /// `StartInfo.maximumCommandLine` bytes, any bytes (invalid UTF-8 is replaced).
    public var commandLine: String
    /// Where the command line's bytes are (nil if none), until they are decoded.
    var commandLineRange: PhysicalRange? = nil
    /// The physical address of the ACPI RSDP, if the VMM gave one.
    public var rsdp: PhysAddr?
    /// The boot modules the VMM loaded (QEMU's `-initrd`), in its order: each lies inside the
    /// physical memory window and is among ``bootStructures``, so no allocator hands it out.
    public var modules: [PhysicalRange] = []
    /// Physical ranges holding boot structures (start info, memory map, command line), which
    /// allocators must leave alone until they are no longer needed.
    public var bootStructures: [PhysicalRange]
    /// TSC at the first instruction of the PVH entry (0 on the host).
    public var entryTSC: UInt64 = 0
    /// TSC when the kernel's `main` began (0 on the host).
    public var mainTSC: UInt64 = 0
    /// The physical range of the loaded kernel image, including .bss and boot stacks.
    public var kernelImage = PhysicalRange(start: PhysAddr(0), size: 0)
    /// The physical range the early heap allocates from.
    public var heap = PhysicalRange(start: PhysAddr(0), size: 0)

    /// Instructions (under `-icount shift=0`) or cycles from the PVH entry to `main`.
    public var bootCycles: UInt64 { mainTSC &- entryTSC }

    /// A boot info with the given fields (used by tests and by the parser).
    public init(memoryMap: MemoryMap, commandLine: String, rsdp: PhysAddr?, bootStructures: [PhysicalRange]) {
        self.memoryMap = memoryMap
        self.commandLine = commandLine
        self.rsdp = rsdp
        self.bootStructures = bootStructures
    }

    /// Why a start info structure was refused.
    public enum ParseError: Error, Equatable {
        /// The structure is not inside the physical memory window.
        case startInfoOutsideMemory
        /// The magic number is wrong: this is not a PVH start info.
        case badMagic(UInt32)
        /// Version 0 carries no memory map; SwiftyHermit needs version 1 or later.
        case noMemoryMap
        /// The memory map claims more entries than any VMM produces.
        case tooManyMemoryMapEntries(UInt32)
        /// The memory map, command line, module list or a module lies outside the physical
        /// memory window.
        case structureOutsideMemory
        /// The module list claims more modules than any VMM passes.
        case tooManyModules(UInt32)
    }

    /// Parses the `hvm_start_info` at physical `address`, reading only through `memory`.
    /// `decodingCommandLine: false` leaves ``commandLine`` empty, for ``decodeCommandLine(in:)``
    /// to fill once the heap has room (the kernel parses this before its heap leaves the small
    /// arena in the image, and a 4 KiB command line would not fit there twice).
    public static func parse(startInfoAt address: PhysAddr, in memory: PhysicalMemoryWindow,
                             decodingCommandLine: Bool = true) throws(ParseError) -> BootInfo {
        guard let info = memory.region(at: address, size: StartInfo.size) else { throw .startInfoOutsideMemory }
        let magic = info.load(as: UInt32.self, at: StartInfo.magicOffset)
        guard magic == StartInfo.magic else { throw .badMagic(magic) }
        guard info.load(as: UInt32.self, at: StartInfo.versionOffset) >= 1 else { throw .noMemoryMap }

        var structures = [PhysicalRange(start: address, size: UInt64(StartInfo.size))]

        let count = info.load(as: UInt32.self, at: StartInfo.memoryMapEntriesOffset)
        guard count <= UInt32(StartInfo.maximumEntries) else { throw .tooManyMemoryMapEntries(count) }
        let mapAddress = PhysAddr(info.load(as: UInt64.self, at: StartInfo.memoryMapOffset))
        let mapSize = Int(count) * StartInfo.entrySize
        guard let table = memory.region(at: mapAddress, size: mapSize) else { throw .structureOutsideMemory }
        structures.append(PhysicalRange(start: mapAddress, size: UInt64(mapSize)))
        var entries: [MemoryMapEntry] = []
        for index in 0..<Int(count) {
            let base = index * StartInfo.entrySize
            let range = PhysicalRange(
                start: PhysAddr(table.load(as: UInt64.self, at: base + StartInfo.entryAddressOffset)),
                size: table.load(as: UInt64.self, at: base + StartInfo.entrySizeOffset))
            guard range.size > 0 else { continue }  // QEMU pads the table with empty entries
            entries.append(MemoryMapEntry(range: range, kind: .init(type: table.load(as: UInt32.self, at: base + StartInfo.entryTypeOffset))))
        }

        let commandLine = ""
        var commandLineRange: PhysicalRange? = nil
        let commandLineAddress = PhysAddr(info.load(as: UInt64.self, at: StartInfo.commandLineOffset))
        if commandLineAddress.value != 0 {
            guard memory.covers(commandLineAddress, size: 1) else { throw .structureOutsideMemory }
            let available = min(StartInfo.maximumCommandLine, Int(memory.physicalBase.value + UInt64(memory.size) - commandLineAddress.value))
            guard let text = memory.region(at: commandLineAddress, size: available) else { throw .structureOutsideMemory }
            // Longer than the limit (or running to the end of memory): the first
            // `maximumCommandLine` bytes are the command line. Any bytes are accepted; a
            // command line is never a reason not to boot.
            var length = 0
            while length < available && text.load(as: UInt8.self, at: length) != 0 { length += 1 }
            structures.append(PhysicalRange(start: commandLineAddress, size: UInt64(length + (length < available ? 1 : 0))))
            commandLineRange = PhysicalRange(start: commandLineAddress, size: UInt64(length))
        }

        var modules: [PhysicalRange] = []
        let moduleCount = info.load(as: UInt32.self, at: StartInfo.moduleCountOffset)
        guard moduleCount <= UInt32(StartInfo.maximumModules) else { throw .tooManyModules(moduleCount) }
        if moduleCount > 0 {
            let listAddress = PhysAddr(info.load(as: UInt64.self, at: StartInfo.moduleListOffset))
            let listSize = Int(moduleCount) * StartInfo.moduleEntrySize
            guard let list = memory.region(at: listAddress, size: listSize) else { throw .structureOutsideMemory }
            structures.append(PhysicalRange(start: listAddress, size: UInt64(listSize)))
            for index in 0..<Int(moduleCount) {
                let module = PhysicalRange(start: PhysAddr(list.load(as: UInt64.self, at: index * StartInfo.moduleEntrySize)),
                                           size: list.load(as: UInt64.self, at: index * StartInfo.moduleEntrySize + 8))
                guard module.size <= UInt64(Int.max), memory.covers(module.start, size: Int(module.size)) else { throw .structureOutsideMemory }
                modules.append(module)
                if module.size > 0 { structures.append(module) }
            }
        }

        let rsdp = info.load(as: UInt64.self, at: StartInfo.rsdpOffset)
        var parsed = BootInfo(memoryMap: MemoryMap(entries: entries), commandLine: commandLine,
                              rsdp: rsdp == 0 ? nil : PhysAddr(rsdp), bootStructures: structures)
        parsed.commandLineRange = commandLineRange
        parsed.modules = modules
        if decodingCommandLine { parsed.decodeCommandLine(in: memory) }
        return parsed
    }

    /// Reads the command line that ``parse(startInfoAt:in:decodingCommandLine:)`` found into
    /// ``commandLine`` (once; later calls do nothing).
    public mutating func decodeCommandLine(in memory: PhysicalMemoryWindow) {
        guard let range = commandLineRange else { return }
        commandLineRange = nil
        guard let text = memory.region(at: range.start, size: Int(range.size)) else { return }
        var bytes = [UInt8](repeating: 0, count: Int(range.size))
        for offset in 0..<bytes.count { bytes[offset] = text.load(as: UInt8.self, at: offset) }
        commandLine = String(decoding: bytes, as: UTF8.self)
    }
}

/// PCI configuration space through configuration mechanism #1 (PCI Local Bus 3.0
/// §3.2.2.3.2: the address to port 0xCF8, the data through port 0xCFC), which only X86 holds.
///
/// Guarantees: reads are offered to anyone: they change no memory. Writes to configuration
/// space can break memory safety — a BAR moved over RAM makes device windows alias Swift
/// objects, an MSI address aims a device's write anywhere — so no raw write is offered; the
/// only writes are typed: the command register's decode, bus-master and INTx-disable bits
/// (``setCommand(_:set:clear:)``), BAR sizing that restores the BAR before it returns
/// (``sizeBAR(_:offset:)``), and the MSI-X enable and function-mask bits of a capability
/// whose ID the fence checks itself (``setMessageInterrupts(_:capability:enabled:functionMasked:)``).
/// Every access selects its register and transfers it under one interrupt-safe lock, so no
/// other processor or interrupt handler can interleave its own access.
public enum PCIConfigurationSpace {
    /// A function's location: bus, device (0...31), function (0...7), printed as `bb:dd.f`.
    public struct Function: Hashable, Sendable, CustomStringConvertible {
        /// The bus number.
        public let bus: UInt8
        /// The device number (0...31).
        public let device: UInt8
        /// The function number (0...7).
        public let function: UInt8

        /// The function at `bus`:`device`.`function`; device and function are checked.
        public init(bus: UInt8, device: UInt8, function: UInt8) {
            precondition(device < 32 && function < 8, "PCI device 0...31, function 0...7")
            self.bus = bus
            self.device = device
            self.function = function
        }

        /// `bb:dd.f` in hexadecimal.
        public var description: String {
            func hex(_ value: UInt8, _ digits: Int) -> String {
                let text = String(value, radix: 16)
                return String(repeating: "0", count: max(0, digits - text.count)) + text
            }
            return "\(hex(bus, 2)):\(hex(device, 2)).\(function)"
        }
    }

    /// The bits of the command register (PCI Local Bus 3.0 §6.2.2) the fence lets drivers set.
    public struct Command: OptionSet, Sendable {
        /// The raw bits (a plain value: no bit pattern is invalid).
        public let rawValue: UInt16
        /// The value with raw bits `rawValue` (any bits make a valid value).
        public init(rawValue: UInt16) { self.rawValue = rawValue & Command.allowed }
        /// I/O space decoding.
        public static let ioSpace = Command(rawValue: 1 << 0)
        /// Memory space decoding.
        public static let memorySpace = Command(rawValue: 1 << 1)
        /// Bus mastering: the device may start DMA (to the addresses its driver gave it).
        public static let busMaster = Command(rawValue: 1 << 2)
        /// Legacy INTx interrupts off.
        public static let interruptDisable = Command(rawValue: 1 << 10)
        static let allowed: UInt16 = 1 << 0 | 1 << 1 | 1 << 2 | 1 << 10
    }

    static let lock = InterruptSafeLock(())
    // SAFETY (for both ports): 0xCF8/0xCFC are the configuration mechanism's own ports; only
    // this type reaches them.
    static var addressPort: Port<UInt32> { unsafe Port(0xCF8) }
    static var dataPort: Port<UInt32> { unsafe Port(0xCFC) }

    static func select(_ function: Function, _ offset: UInt8) {
        addressPort.write(0x8000_0000 | UInt32(function.bus) << 16 | UInt32(function.device) << 11
                          | UInt32(function.function) << 8 | UInt32(offset & 0xFC))
    }

    static func rawRead(_ function: Function, _ offset: UInt8) -> UInt32 {
        select(function, offset)
        return dataPort.read()
    }

    static func rawWrite(_ function: Function, _ offset: UInt8, _ value: UInt32) {
        select(function, offset)
        dataPort.write(value)
    }

    /// The dword at `offset` (rounded down to a multiple of 4).
    public static func read32(_ function: Function, offset: UInt8) -> UInt32 {
        lock.withLock { _ in rawRead(function, offset) }
    }

    /// Sets the bits in `set` and clears those in `clear` of the command register, leaving
    /// every other bit as it is.
    public static func setCommand(_ function: Function, set: Command, clear: Command = []) {
        lock.withLock { _ in
            let register = rawRead(function, 4)
            let command = (UInt16(truncatingIfNeeded: register) | set.rawValue) & ~clear.rawValue
            // The upper half is the status register, whose error bits clear when written as 1:
            // write zeroes there so no status is lost.
            rawWrite(function, 4, UInt32(command))
        }
    }

    /// Sizes the BAR at `offset` (0x10...0x24, a multiple of 4) by the standard probe — decoding
    /// off, all ones written, the read-back mask kept, the BAR and the command register
    /// restored — and returns the mask. Nil for any other offset.
    public static func sizeBAR(_ function: Function, offset: UInt8) -> UInt32? {
        guard offset >= 0x10, offset <= 0x24, offset % 4 == 0 else { return nil }
        return lock.withLock { _ in
            let command = rawRead(function, 4)
            rawWrite(function, 4, command & 0xFFFF & ~0x3)   // decoding off while sizing
            let original = rawRead(function, offset)
            rawWrite(function, offset, 0xFFFF_FFFF)
            let mask = rawRead(function, offset)
            rawWrite(function, offset, original)
            rawWrite(function, 4, command & 0xFFFF)
            return mask
        }
    }

    /// Switches the MSI-X capability at `capability` on or off and sets its function mask
    /// (PCI Local Bus 3.0 §6.8.2.3). Returns false, writing nothing, when the byte at
    /// `capability` is not the MSI-X capability ID (0x11) or the offset lies in the header.
    @discardableResult
    public static func setMessageInterrupts(_ function: Function, capability: UInt8, enabled: Bool, functionMasked: Bool) -> Bool {
        guard capability >= 0x40, capability % 4 == 0 else { return false }
        return lock.withLock { _ in
            let register = rawRead(function, capability)
            guard register & 0xFF == 0x11 else { return false }
            var control = UInt16(truncatingIfNeeded: register >> 16) & ~UInt16(1 << 15 | 1 << 14)
            if enabled { control |= 1 << 15 }
            if functionMasked { control |= 1 << 14 }
            rawWrite(function, capability, register & 0xFFFF | UInt32(control) << 16)
            return true
        }
    }
}

extension PCIConfigurationSpace {
    /// The physical ranges `[start, end)` that PCI functions decode as memory BARs, found once
    /// by walking bus 0 and the buses behind PCI-to-PCI bridges (at most 256 buses, each
    /// visited once) and sizing every BAR of every type-0 function.
    ///
    /// Guarantees: a range is listed only if a function's BAR decodes it, so device windows
    /// checked against this list cover device registers, not RAM a BAR was never given.
    public static var memoryBARs: [(start: UInt64, end: UInt64)] { scan().bars }

    /// The physical ranges `[start, end)` of every function's MSI-X table and pending-bit
    /// array (PCI Local Bus 3.0 §6.8.2) and of virtio functions' queue-address registers,
    /// inside their BARs: a raw window there could point a message or a queue at any address,
    /// so device windows withhold them and only typed writers (``MessageInterruptTable``,
    /// Boot's `VirtioQueueAddresses`) write them.
    public static var messageInterruptStructures: [(start: UInt64, end: UInt64)] { scan().msix }

    /// The physical address of a virtio function's queue-address registers (`queue_desc`
    /// through `queue_device`, 24 bytes at offset 32 of its common configuration; virtio 1.2
    /// §4.1.4.3), read from its vendor capability; nil for other functions.
    public static func virtioQueueAddressRegisters(of function: Function) -> UInt64? {
        guard read32(function, offset: 0) & 0xFFFF == 0x1AF4,
              let common = findCapability(function, where: { header in
                  UInt8(truncatingIfNeeded: header) == 0x09 && UInt8(truncatingIfNeeded: header >> 24) == 1   // common configuration
              }) else { return nil }
        let bar = Int(read32(function, offset: common &+ 4) & 0xFF)
        let offset = UInt64(read32(function, offset: common &+ 8))
        guard let base = barBase(function, index: bar) else { return nil }
        return address(base, plus: offset &+ 32, length: 24)
    }

    /// `base + offset` when `length` bytes from there fit below 2^64, else nil: BAR bases and
    /// offsets come from the device, which may report anything.
    static func address(_ base: UInt64, plus offset: UInt64, length: UInt64) -> UInt64? {
        let (start, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, !start.addingReportingOverflow(length).overflow else { return nil }
        return start
    }

    /// Where function `function`'s MSI-X table lies and how many entries it has, from its
    /// capability and BARs as the fence reads them; nil without MSI-X.
    public static func messageInterruptTable(of function: Function) -> (address: UInt64, entries: Int, capability: UInt8)? {
        guard let capability = findCapability(function, id: 0x11) else { return nil }
        let control = read32(function, offset: capability) >> 16
        let entries = Int(control & 0x7FF) + 1
        let location = read32(function, offset: capability &+ 4)
        guard let base = barBase(function, index: Int(location & 7)) else { return nil }
        guard let table = address(base, plus: UInt64(location & ~7), length: UInt64(entries * 16)) else { return nil }
        return (table, entries, capability)
    }

    static let barCache = InterruptSafeLock<(bars: [(start: UInt64, end: UInt64)], msix: [(start: UInt64, end: UInt64)])?>(nil)

    static func scan() -> (bars: [(start: UInt64, end: UInt64)], msix: [(start: UInt64, end: UInt64)]) {
        barCache.withLock { cache in
            if let found = cache { return found }
            let found = scanFunctions()
            cache = found
            return found
        }
    }

    /// The capability with `id` in the function's list (at most 48 steps, inside the space).
    static func findCapability(_ function: Function, id: UInt8) -> UInt8? {
        findCapability(function, where: { UInt8(truncatingIfNeeded: $0) == id })
    }

    /// The first capability whose header dword satisfies `matches` (at most 48 steps, inside
    /// the space, so a looping or broken list cannot hang the walk).
    static func findCapability(_ function: Function, where matches: (UInt32) -> Bool) -> UInt8? {
        guard (read32(function, offset: 4) >> 16) & 0x10 != 0 else { return nil }
        var pointer = UInt8(truncatingIfNeeded: read32(function, offset: 0x34)) & 0xFC
        var steps = 0
        while pointer >= 0x40 && steps < 48 {
            let header = read32(function, offset: pointer)
            if matches(header) { return pointer }
            pointer = UInt8(truncatingIfNeeded: header >> 8) & 0xFC
            steps += 1
        }
        return nil
    }

    /// The base address of memory BAR `index` (reads only), or nil.
    static func barBase(_ function: Function, index: Int) -> UInt64? {
        guard index >= 0 && index < 6 else { return nil }
        let offset = UInt8(0x10 + index * 4)
        let low = read32(function, offset: offset)
        guard low & 1 == 0 else { return nil }
        var base = UInt64(low & 0xFFFF_FFF0)
        if (low >> 1) & 3 == 2 && index < 5 { base |= UInt64(read32(function, offset: offset + 4)) << 32 }
        return base == 0 ? nil : base
    }

    static func scanFunctions() -> (bars: [(start: UInt64, end: UInt64)], msix: [(start: UInt64, end: UInt64)]) {
        var ranges: [(start: UInt64, end: UInt64)] = []
        var msix: [(start: UInt64, end: UInt64)] = []
        var pending: [UInt8] = [0]
        var visited = [Bool](repeating: false, count: 256)
        while let bus = pending.popLast() {
            guard !visited[Int(bus)] else { continue }
            visited[Int(bus)] = true
            for device in 0..<UInt8(32) {
                let first = Function(bus: bus, device: device, function: 0)
                guard read32(first, offset: 0) & 0xFFFF != 0xFFFF else { continue }
                let functions: UInt8 = (read32(first, offset: 12) >> 16) & 0x80 != 0 ? 8 : 1
                for number in 0..<functions {
                    let function = Function(bus: bus, device: device, function: number)
                    guard read32(function, offset: 0) & 0xFFFF != 0xFFFF else { continue }
                    let header = (read32(function, offset: 12) >> 16) & 0x7F
                    let classCode = read32(function, offset: 8) >> 16
                    if header == 1 || classCode == 0x0604 {
                        let secondary = UInt8(truncatingIfNeeded: read32(function, offset: 0x18) >> 8)
                        if secondary != 0 { pending.append(secondary) }
                    }
                    guard header == 0 else { continue }
                    if let queueAddresses = virtioQueueAddressRegisters(of: function) {
                        msix.append((queueAddresses, queueAddresses + 24))
                    }
                    if let table = messageInterruptTable(of: function) {
                        msix.append((table.address, table.address + UInt64(table.entries * 16)))
                        let pending = read32(function, offset: table.capability &+ 8)
                        if let base = barBase(function, index: Int(pending & 7)) {
                            let bytes = UInt64((table.entries + 63) / 64 * 8)
                            if let start = address(base, plus: UInt64(pending & ~7), length: bytes) {
                                msix.append((start, start + bytes))
                            }
                        }
                    }
                    var index = 0
                    while index < 6 {
                        let offset = UInt8(0x10 + index * 4)
                        let original = read32(function, offset: offset)
                        guard original & 1 == 0, let low = sizeBAR(function, offset: offset) else { index += 1; continue }
                        let is64 = (original >> 1) & 3 == 2 && index < 5
                        var mask = UInt64(low & 0xFFFF_FFF0) | 0xFFFF_FFFF_0000_0000
                        var base = UInt64(original & 0xFFFF_FFF0)
                        if is64 {
                            let high = sizeBAR(function, offset: offset + 4) ?? 0
                            mask = UInt64(low & 0xFFFF_FFF0) | UInt64(high) << 32
                            base |= UInt64(read32(function, offset: offset + 4)) << 32
                        }
                        let size = ~mask &+ 1
                        if low & 0xFFFF_FFF0 != 0 && size != 0 && base != 0 { ranges.append((base, base &+ size)) }
                        index += is64 ? 2 : 1
                    }
                }
            }
        }
        return (ranges, msix)
    }
}

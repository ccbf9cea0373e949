// libFuzzer target `syscalls`: every input is a run of system calls a program might make —
// any number, any arguments, pointers into (or beside) a small memory window holding strings
// and structures the input also chooses — served by one LinuxProcess over the standard files.
// The program is outside input (it comes in the initrd), so each call must return a value or
// -errno, never trap, and the process must keep its promises: mappings sorted, disjoint and in
// the window, descriptors within the limit, /tmp within its capacity. Built by Tests/Fuzz/run with the ELF, CPIO and
// LinuxABI sources in one module; not part of `swift build`.

final class FuzzMemory: ProgramMemory {
    let base: UInt64 = 0x10_0000
    var bytes = [UInt8](repeating: 0, count: 8192)
    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        guard address >= base, count >= 0, address - base <= UInt64(bytes.count), UInt64(count) <= UInt64(bytes.count) - (address - base) else { return nil }
        return Array(bytes[Int(address - base)..<(Int(address - base) + count)])
    }
    func write(_ address: UInt64, _ data: [UInt8]) -> Bool {
        guard address >= base, address - base <= UInt64(bytes.count), UInt64(data.count) <= UInt64(bytes.count) - (address - base) else { return false }
        bytes.replaceSubrange(Int(address - base)..<(Int(address - base) + data.count), with: data)
        return true
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let memory = FuzzMemory()
    // The first half KiB of the input is the memory's start: paths, iovecs, sigactions.
    for (index, byte) in input.prefix(512).enumerated() { memory.bytes[index] = byte }
    _ = memory.write(0x10_0400, Array("/proc/self/maps".utf8) + [0])
    _ = memory.write(0x10_0440, Array("/etc/passwd".utf8) + [0])
    _ = memory.write(0x10_0480, Array("/tmp/f".utf8) + [0])
    _ = memory.write(0x10_04C0, Array("/tmp/d/../d/g".utf8) + [0])
    let store = TemporaryStore(capacity: 1 << 20)
    let tree = FileSystem(archive: nil, extras: StandardFiles.extras(executable: "/p", processors: 2, memoryBytes: 1 << 26, processorName: "fuzz"),
                          temporary: store)
    guard let console = try? tree.lookup("/dev/console") else { return 0 }
    let window: Range<UInt64> = 0x40_0000..<0x4000_0000
    let process = LinuxProcess(mappings: MemoryMappings(window: window), files: FileDescriptorTable(fileSystem: tree, console: console),
                               programEnd: 0x50_0000, processors: 2, console: { _ in }, monotonicClock: { 1 }, realTimeClock: { 2 },
                               random: { Array(repeating: 7, count: $0) })
    let numbers = SystemCallNumber.allCases
    var cursor = min(512, input.count)
    func word() -> UInt64 {
        guard cursor < input.count else { return 0 }
        let kind = input[cursor]; cursor += 1
        switch kind % 6 {
        case 0: return 0x10_0000 + UInt64(kind) * 16                           // into the memory
        case 1: return [0x10_0400, 0x10_0480, 0x10_04C0][Int(kind / 6) % 3]       // a path
        case 2: return 0x10_0440
        case 3: return UInt64(kind % 16)                                        // small numbers, descriptors
        case 4: return UInt64(bitPattern: -100)                                 // AT_FDCWD, -1
        default:
            var value: UInt64 = 0
            for _ in 0..<8 where cursor < input.count { value = value << 8 | UInt64(input[cursor]); cursor += 1 }
            return value
        }
    }
    while cursor < input.count && process.exitStatus == nil {
        let selector = Int(input[cursor]); cursor += 1
        let number = selector < 250 ? numbers[selector % numbers.count].rawValue : selector * 3
        let result = process.handle(number, (0..<6).map { _ in word() }, memory: memory)
        if result < -4095 && result > Int64.min { _ = result }   // any value is allowed; only a trap is not
        var previous: UInt64 = 0
        for mapping in process.mappings.mappings {
            if mapping.range.lowerBound < previous || mapping.range.isEmpty || !window.contains(mapping.range.lowerBound) || mapping.range.upperBound > window.upperBound {
                fatalError("mappings out of order or outside the window")
            }
            previous = mapping.range.upperBound
        }
        if store.used > store.capacity { fatalError("/tmp holds more than its capacity") }
    }
    return 0
}

// libFuzzer target `elf`: every input is a file handed to the ELF reader as a program to load.
// It must give a checked executable or an ELFError, never a trap, and an executable it accepts
// must keep StaticExecutable's guarantees (segments inside the file and the span, in order,
// below the canonical hole; the entry inside an executable segment), and so must the loader's
// LoadPlan for it (regions page-aligned and in order, copies inside them). Seeds: the headers of
// static executables (Corpus/elf). Built by Tests/Fuzz/run with ELF's sources and LinuxABI's
// LoadPlan in the same module; not part of `swift build`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let executable = try? StaticExecutable(parsing: bytes) else { return 0 }
    var previousEnd: UInt64 = 0
    for segment in executable.segments {
        if segment.fileOffset + segment.fileSize > UInt64(bytes.count) || segment.fileSize > segment.memorySize { fatalError("a segment outside the file") }
        if segment.address < previousEnd || segment.address < executable.span.lowerBound { fatalError("segments out of order") }
        previousEnd = segment.address + segment.memorySize
        if previousEnd > executable.span.upperBound || previousEnd > StaticExecutable.addressLimit { fatalError("a segment outside the span") }
    }
    if !executable.span.contains(executable.entry) { fatalError("the entry outside the span") }
    // And the loader's plan for it: page-aligned regions in order, copies inside them.
    let bias: UInt64 = executable.kind == .positionIndependent ? 0x5555_5555_4000 : 0
    guard let plan = try? LoadPlan(executable, bias: bias, window: 0x40_0000..<0x7FFF_0000_0000) else { return 0 }
    var regionEnd: UInt64 = 0
    for region in plan.regions {
        if region.range.lowerBound % 4096 != 0 || region.range.upperBound % 4096 != 0 || region.range.lowerBound < regionEnd { fatalError("regions out of order") }
        regionEnd = region.range.upperBound
    }
    for copy in plan.copies where !plan.regions.contains(where: { $0.range.contains(copy.address) }) { fatalError("a copy outside the regions") }
    return 0
}

// libFuzzer target `elf`: every input is a file handed to the ELF reader as a program to load.
// It must give a checked executable or an ELFError, never a trap, and an executable it accepts
// must keep StaticExecutable's guarantees (segments inside the file and the span, in order,
// below the canonical hole; the entry inside an executable segment). Seeds: the headers of
// static executables (Corpus/elf). Built by Tests/Fuzz/run with ELF's sources in the same
// module; not part of `swift build`.

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
    return 0
}

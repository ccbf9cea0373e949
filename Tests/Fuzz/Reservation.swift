// libFuzzer target `reservation`: every input is a boot module whose program Boot measures
// before the kernel has a heap (ProgramReservation: a raw ELF or a newc cpio of them). It must
// answer nil or an end above 4 MiB, at most 4 GiB, on a 2 MiB boundary — never trap, never read
// past the module. Seeds: an ELF header and a small archive (Corpus/reservation). Built by
// Tests/Fuzz/run with ProgramReservation.swift in the same module; not part of `swift build`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let end = ProgramReservation.end(moduleSize: bytes.count) { offset in
        guard offset >= 0, offset < bytes.count else { fatalError("read outside the module at \(offset)") }
        return bytes[offset]
    }
    if let end, end <= ProgramReservation.base || end > ProgramReservation.limit || end % 0x20_0000 != 0 {
        fatalError("an end out of range: \(end)")
    }
    return 0
}

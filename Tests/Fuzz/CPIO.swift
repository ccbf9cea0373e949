// libFuzzer target `cpio`: every input is an initrd handed to the newc reader. It must give
// members or a CPIOError, never a trap, and every member's data must lie inside the input.
// Seeds: small archives (Corpus/cpio). Built by Tests/Fuzz/run with CPIO's sources in the same
// module; not part of `swift build`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let reader = try? CPIOReader(parsing: bytes) else { return 0 }
    for member in reader.members where member.data.lowerBound < 0 || member.data.upperBound > bytes.count {
        fatalError("a member's data outside the archive")
    }
    _ = reader.member("etc/passwd")
    return 0
}

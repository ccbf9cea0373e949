/// Just enough ELF64 (System V gABI, "Program Header") to find where an image's segments end.
enum ELFProgramHeaders {
    /// The largest `p_paddr + p_memsz` over PT_LOAD segments, or nil for a malformed file.
    static func loadEnd(of bytes: [UInt8]) -> UInt64? {
        func integer(_ offset: Int, _ size: Int) -> UInt64? {
            guard offset >= 0, offset + size <= bytes.count else { return nil }
            var value: UInt64 = 0
            for i in (0..<size).reversed() { value = value << 8 | UInt64(bytes[offset + i]) }
            return value
        }
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46, bytes[4] == 2,
              let phoff = integer(32, 8), let phentsize = integer(54, 2), let phnum = integer(56, 2) else { return nil }
        var end: UInt64? = nil
        for index in 0..<Int(phnum) {
            let header = Int(phoff) + index * Int(phentsize)
            guard let type = integer(header, 4), let paddr = integer(header + 24, 8), let memsz = integer(header + 40, 8) else { return nil }
            if type == 1 { end = max(end ?? 0, paddr + memsz) }
        }
        return end
    }
}

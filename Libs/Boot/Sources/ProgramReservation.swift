/// Where the program that arrived as a boot module will lie, worked out before the kernel
/// picks its heap: a static Linux executable (ET_EXEC) is linked at 0x400000 and up, and its
/// pages are the same physical frames (the identity map), so that range must never become
/// heap. A static PIE needs nothing here: it goes into the user area, on frames from the
/// allocator.
///
/// Guarantees: total over any module bytes — it reads headers only through `read`, checks
/// every offset and sum, and answers nil for anything it does not recognise (the Linux layer
/// later explains what is wrong with the program). For a raw ELF it measures that file; for
/// a newc cpio archive, every regular file that is an x86-64 executable (the layer picks one
/// later), and answers the highest end.
public enum ProgramReservation {
    /// Where programs start: Linux's traditional ET_EXEC base.
    public static let base: UInt64 = 0x40_0000
    /// The highest end accepted (the identity map's limit).
    public static let limit: UInt64 = 0x1_0000_0000
    /// The most archive members looked at.
    static let maximumMembers = 65536

    /// The end of the range `[base, end)` that the module's program needs, rounded up to
    /// 2 MiB; nil when the module holds no program this layout can place. Allocates nothing
    /// (it runs before the kernel has its heap).
    /// - Parameters:
    ///   - size: the module's size in bytes.
    ///   - byte: returns the module's byte at an offset, or nil past its end.
    public static func end(moduleSize size: Int, byte: (_ offset: Int) -> UInt8?) -> UInt64? {
        withoutActuallyEscaping(byte) { byte in end(Reader(size: size, byte: byte)) }
    }

    static func end(_ reader: Reader) -> UInt64? {
        let size = reader.size
        var highest: UInt64? = nil
        if reader.isArchiveHeader(at: 0) {
            var offset = 0
            for _ in 0..<maximumMembers {
                guard reader.isArchiveHeader(at: offset),
                      let mode = reader.hex(offset + 14), let fileSize = reader.hex(offset + 54),
                      let nameSize = reader.hex(offset + 94), nameSize > 0, nameSize < 4096 else { break }
                if reader.isTrailer(at: offset + 110) { break }
                let data = align4(offset + 110 + Int(nameSize))
                guard data + Int(fileSize) <= size else { break }
                if mode & 0o170000 == 0o100000, let end = elfEnd(at: data, size: Int(fileSize), reader) {
                    highest = max(highest ?? 0, end)
                }
                offset = align4(data + Int(fileSize))
            }
        } else {
            highest = elfEnd(at: 0, size: size, reader)
        }
        guard let highest else { return nil }
        let rounded = (highest + 0x1F_FFFF) & ~0x1F_FFFF
        return rounded <= limit ? rounded : nil
    }

    /// The end of an x86-64 ET_EXEC executable at `start` (`size` bytes); nil for anything
    /// else.
    static func elfEnd(at start: Int, size: Int, _ reader: Reader) -> UInt64? {
        guard size >= 64, reader.little(start, 4) == 0x464C_457F, reader.little(start + 4, 2) == 0x0102,
              reader.little(start + 18, 2) == 62, let type = reader.little(start + 16, 2), type == 2,
              let tableOffset = reader.little(start + 32, 8), let entrySize = reader.little(start + 54, 2),
              let count = reader.little(start + 56, 2) else { return nil }
        guard entrySize >= 56, count > 0, count <= 256, tableOffset < UInt64(size),
              tableOffset + entrySize * count <= UInt64(size) else { return nil }
        var low = UInt64.max, high: UInt64 = 0
        for index in 0..<Int(count) {
            let entry = start + Int(tableOffset) + index * Int(entrySize)
            guard reader.little(entry, 4) == 1 else { continue }   // PT_LOAD
            guard let address = reader.little(entry + 16, 8), let memorySize = reader.little(entry + 40, 8) else { return nil }
            let (end, overflow) = address.addingReportingOverflow(memorySize)
            guard !overflow, end <= limit else { return nil }
            low = min(low, address & ~0xFFF)
            high = max(high, end)
        }
        guard low < high, low >= base else { return nil }
        return high
    }

    static func align4(_ value: Int) -> Int { (value + 3) & ~3 }

    /// Bounds-checked reads of the module, a byte at a time.
    struct Reader {
        let size: Int
        let byte: (Int) -> UInt8?

        func at(_ offset: Int) -> UInt8? { offset >= 0 && offset < size ? byte(offset) : nil }

        /// "070701" or "070702".
        func isArchiveHeader(at offset: Int) -> Bool {
            little(offset, 5) == 0x30_37_30_37_30 && (at(offset + 5) == 0x31 || at(offset + 5) == 0x32)
        }

        /// "TRAILER!!!".
        func isTrailer(at offset: Int) -> Bool {
            little(offset, 8) == 0x21_52_45_4C_49_41_52_54 && little(offset + 8, 2) == 0x2121
        }

        /// Eight ASCII hex digits at `offset`.
        func hex(_ offset: Int) -> UInt64? {
            var value: UInt64 = 0
            for index in offset..<(offset + 8) {
                guard let byte = at(index) else { return nil }
                let digit: UInt8
                switch byte {
                case 0x30...0x39: digit = byte - 0x30
                case 0x41...0x46: digit = byte - 0x41 + 10
                case 0x61...0x66: digit = byte - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt64(digit)
            }
            return value
        }

        /// A little-endian unsigned integer of `width` bytes at `offset`.
        func little(_ offset: Int, _ width: Int) -> UInt64? {
            var value: UInt64 = 0
            for index in (0..<width).reversed() {
                guard let byte = at(offset + index) else { return nil }
                value = value << 8 | UInt64(byte)
            }
            return value
        }
    }
}

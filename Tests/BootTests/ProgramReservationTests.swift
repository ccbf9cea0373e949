import Testing
import Boot

/// Where a Linux program in the boot module will lie, worked out from its headers alone.
@Suite("Program reservation")
struct ProgramReservationTests {
    /// An ELF64 x86-64 header of `type` with PT_LOAD segments at (address, memory size).
    static func elf(type: UInt16 = 2, segments: [(UInt64, UInt64)]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64 + 56 * segments.count)
        bytes[0...5] = [0x7F, 0x45, 0x4C, 0x46, 2, 1]
        func put(_ value: UInt64, _ offset: Int, _ width: Int) { for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) } }
        put(UInt64(type), 16, 2); put(62, 18, 2); put(64, 32, 8); put(56, 54, 2); put(UInt64(segments.count), 56, 2)
        for (index, segment) in segments.enumerated() {
            let entry = 64 + 56 * index
            put(1, entry, 4); put(segment.0, entry + 16, 8); put(segment.1, entry + 40, 8)
        }
        return bytes
    }

    static func end(_ bytes: [UInt8]) -> UInt64? {
        ProgramReservation.end(moduleSize: bytes.count) { $0 >= 0 && $0 < bytes.count ? bytes[$0] : nil }
    }

    @Test func anExecutableAt4MiBReservesUpToItsLastSegmentIn2MiBSteps() {
        #expect(Self.end(Self.elf(segments: [(0x40_0000, 0x1000), (0x40_1000, 0x9_0000), (0x4C_0000, 0x2_0000)])) == 0x60_0000)
        #expect(Self.end(Self.elf(segments: [(0x40_0000, 0x20_0000)])) == 0x60_0000)
    }

    @Test func whatCannotBePlacedThereReservesNothing() {
        #expect(Self.end(Self.elf(type: 3, segments: [(0, 0x1000)])) == nil)                  // a static PIE goes elsewhere
        #expect(Self.end(Self.elf(segments: [(0x10_0000, 0x1000)])) == nil)                   // below 4 MiB: the kernel's
        #expect(Self.end(Self.elf(segments: [(0x40_0000, UInt64.max - 0x1000)])) == nil)      // overflowing
        #expect(Self.end(Self.elf(segments: [(0x40_0000, 0x1_0000_0000)])) == nil)            // past the identity map
        #expect(Self.end(Array("#!/bin/sh\necho hi\n".utf8)) == nil)
        #expect(Self.end([]) == nil)
        var truncated = Self.elf(segments: [(0x40_0000, 0x1000)])
        truncated.removeLast(10)
        #expect(Self.end(truncated) == nil)
    }

    /// A newc archive: the highest end over its executables; other files are skipped.
    @Test func anArchiveReservesForItsLargestExecutable() {
        func member(_ name: String, _ data: [UInt8], mode: UInt32 = 0o100755) -> [UInt8] {
            func hex(_ value: UInt32) -> [UInt8] {
                let digits = String(value, radix: 16)
                return Array((String(repeating: "0", count: 8 - digits.count) + digits).utf8)
            }
            var bytes = Array("070701".utf8)
            for field in [1, mode, 0, 0, 1, 0, UInt32(data.count), 0, 0, 0, 0, UInt32(name.utf8.count + 1), 0] { bytes += hex(field) }
            bytes += Array(name.utf8) + [0]
            while bytes.count % 4 != 0 { bytes.append(0) }
            bytes += data
            while bytes.count % 4 != 0 { bytes.append(0) }
            return bytes
        }
        let archive = member("notes.txt", Array("hello".utf8), mode: 0o100644)
            + member("small", Self.elf(segments: [(0x40_0000, 0x1000)]))
            + member("large", Self.elf(segments: [(0x40_0000, 0x50_0000)]))
            + member("TRAILER!!!", [])
        #expect(Self.end(archive) == 0xA0_0000)
        #expect(Self.end(Array(archive.prefix(200))) == nil)   // cut inside the first member
    }

    /// Random and mutated bytes never trap and never reserve below 4 MiB or past 4 GiB.
    @Test func anyBytesGiveAnAnswerInRange() {
        var generator = SystemRandomNumberGenerator()
        let seed = Self.elf(segments: [(0x40_0000, 0x1000), (0x50_0000, 0x3000)])
        for round in 0..<3000 {
            var bytes = round % 2 == 0 ? seed : (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0 { for _ in 0..<4 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) } }
            if let end = Self.end(bytes) { #expect(end > ProgramReservation.base && end <= ProgramReservation.limit && end % 0x20_0000 == 0) }
        }
    }
}

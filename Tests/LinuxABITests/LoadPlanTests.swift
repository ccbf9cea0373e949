import Testing
import ELF
import LinuxABI

/// Load plans for real static executables (gcc's, fixed and PIE) and for a hand-made file
/// whose segments share a page.
@Suite("Loading static executables")
struct LoadPlanTests {
    static let window: Range<UInt64> = 0x40_0000..<0x7FFF_0000_0000

    /// Every guarantee of a plan, checked against the executable it came from.
    func checkGuarantees(_ plan: LoadPlan, _ executable: StaticExecutable) {
        var previous: UInt64 = 0
        for region in plan.regions {
            #expect(region.range.lowerBound % 4096 == 0 && region.range.upperBound % 4096 == 0 && !region.range.isEmpty)
            #expect(region.range.lowerBound >= previous && Self.window.contains(region.range.lowerBound))
            previous = region.range.upperBound
        }
        for copy in plan.copies {
            #expect(copy.fileOffset + copy.length <= UInt64(executable.file.bytes.count))
            // Every page the copy writes is mapped by some region.
            for page in stride(from: copy.address & ~4095, to: copy.address + copy.length, by: 4096) {
                #expect(plan.regions.contains { $0.range.contains(page) }, "copy to \(copy.address) outside the regions")
            }
        }
        #expect(plan.regions.contains { $0.protection.contains(.execute) && $0.range.contains(plan.entry) })
        #expect(plan.end % 4096 == 0 && plan.end >= previous)
    }

    @Test func gccsStaticProgramIsTextThenDataAtItsAddresses() throws {
        let executable = try StaticExecutable(parsing: try InitialStackTests.gccStaticBytes())
        let plan = try LoadPlan(executable, bias: 0, window: Self.window)
        checkGuarantees(plan, executable)
        #expect(plan.regions.first?.range.lowerBound == 0x40_0000)
        #expect(plan.regions.contains { $0.protection == [.read, .execute] } && plan.regions.contains { $0.protection.contains(.write) })
        #expect(plan.programHeaders == 0x40_0040 && plan.entry == executable.entry)
        #expect(throws: LoadPlan.Refusal.badBias) { try LoadPlan(executable, bias: 0x1000, window: Self.window) }
        #expect(throws: LoadPlan.Refusal.outsideWindow) { try LoadPlan(executable, bias: 0, window: 0x40_0000..<0x40_1000) }
    }

    @Test func aStaticPIEGoesWhereTheBiasSays() throws {
        let executable = try StaticExecutable(parsing: try InitialStackTests.gccStaticBytes(pie: true))
        let bias: UInt64 = 0x5555_5555_4000
        let plan = try LoadPlan(executable, bias: bias, window: Self.window)
        checkGuarantees(plan, executable)
        #expect(plan.entry == executable.entry + bias && plan.regions.first?.range.lowerBound == bias)
        #expect(throws: LoadPlan.Refusal.badBias) { try LoadPlan(executable, bias: bias + 8, window: Self.window) }
    }

    /// Text ending at 0x401800 and data starting there share the page at 0x401000: it gets both
    /// protections, as Linux's loader gives it.
    @Test func aSharedPageGetsBothProtections() throws {
        var bytes = [UInt8](repeating: 0, count: 0x1900)
        func put(_ value: UInt64, _ size: Int, at offset: Int) { for index in 0..<size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) } }
        bytes[0...3] = [0x7F, 0x45, 0x4C, 0x46]
        bytes[4] = 2; bytes[5] = 1; bytes[6] = 1
        put(2, 2, at: 16); put(62, 2, at: 18); put(1, 4, at: 20); put(0x40_0100, 8, at: 24); put(64, 8, at: 32)
        put(64, 2, at: 52); put(56, 2, at: 54); put(2, 2, at: 56)
        // PT_LOAD R-X: file 0..0x1800 at 0x400000; PT_LOAD RW-: file 0x1800..0x1900 at 0x401800, memory 0x2000.
        for (index, header) in [(5 as UInt64, 0 as UInt64, 0x40_0000 as UInt64, 0x1800 as UInt64, 0x1800 as UInt64),
                                (6, 0x1800, 0x40_1800, 0x100, 0x2000)].enumerated() {
            let at = 64 + 56 * index
            put(1, 4, at: at); put(header.0, 4, at: at + 4); put(header.1, 8, at: at + 8); put(header.2, 8, at: at + 16)
            put(header.2, 8, at: at + 24); put(header.3, 8, at: at + 32); put(header.4, 8, at: at + 40); put(0x1000, 8, at: at + 48)
        }
        let executable = try StaticExecutable(parsing: bytes)
        let plan = try LoadPlan(executable, bias: 0, window: Self.window)
        #expect(plan.regions == [
            .init(range: 0x40_0000..<0x40_1000, protection: [.read, .execute]),
            .init(range: 0x40_1000..<0x40_2000, protection: [.read, .write, .execute]),
            .init(range: 0x40_2000..<0x40_4000, protection: [.read, .write]),
        ])
        #expect(plan.copies == [.init(address: 0x40_0000, fileOffset: 0, length: 0x1800), .init(address: 0x40_1800, fileOffset: 0x1800, length: 0x100)])
        #expect(plan.end == 0x40_4000, "the break starts after the bss")
        checkGuarantees(plan, executable)
    }
}

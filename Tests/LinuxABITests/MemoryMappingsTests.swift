import Testing
import LinuxABI

/// `mmap`/`munmap`/`mprotect` semantics, checked case by case as Linux behaves, and against a
/// page-by-page model over 20,000 random calls.
@Suite("Memory mappings")
struct MemoryMappingsTests {
    typealias P = MemoryMappings.Protection
    static let page = MemoryMappings.pageSize

    @Test func anonymousMappingsGoTopDownAndHintsAreTakenWhenFree() throws {
        var space = MemoryMappings(window: 0x10000..<0x100000)
        let first = try space.map(length: 1, protection: [.read, .write], placement: .anywhere(hint: nil))
        #expect(first.address == 0x100000 - Self.page, "rounded up to a page, at the top")
        let second = try space.map(length: 3 * Self.page, protection: [.read], placement: .anywhere(hint: nil))
        #expect(second.address == 0x100000 - 4 * Self.page)
        let hinted = try space.map(length: Self.page, protection: [], placement: .anywhere(hint: 0x20000))
        #expect(hinted.address == 0x20000)
        let refused = try space.map(length: Self.page, protection: [.read], placement: .anywhere(hint: 0x20000))
        #expect(refused.address != 0x20000, "a taken hint is only a hint")
    }

    @Test func partialUnmapsSplitAndReturnWhatTheyTook() throws {
        var space = MemoryMappings(window: 0x10000..<0x100000)
        _ = try space.map(length: 8 * Self.page, protection: [.read, .write], placement: .fixed(0x40000))
        let taken = try space.unmap(address: 0x42000, length: 2 * Self.page)
        #expect(taken == [0x42000..<0x44000])
        #expect(space.mappings.map(\.range) == [0x40000..<0x42000, 0x44000..<0x48000])
        #expect(try space.unmap(address: 0x80000, length: Self.page) == [], "unmapping nothing is fine")
        #expect(space.mapping(containing: 0x43000) == nil && space.mapping(containing: 0x44FFF)?.range == 0x44000..<0x48000)
    }

    /// glibc's thread stacks: a PROT_NONE reservation, then mprotect of all but a guard page.
    @Test func aReservationBecomesUsableByMprotectAndMerges() throws {
        var space = MemoryMappings(window: 0x10000..<0x10000000)
        let reserved = try space.map(length: 8 << 20, protection: [], placement: .anywhere(hint: nil)).address
        try space.protect(address: reserved + Self.page, length: (8 << 20) - Self.page, protection: [.read, .write])
        #expect(space.mappings.count == 2 && space.mappings[0].protection == [] && space.mappings[1].protection == [.read, .write])
        try space.protect(address: reserved, length: Self.page, protection: [.read, .write])
        #expect(space.mappings.count == 1, "equal neighbours merge")
    }

    @Test func badArgumentsFailAsLinuxsDoAndChangeNothing() throws {
        var space = MemoryMappings(window: 0x10000..<0x100000)
        _ = try space.map(length: Self.page, protection: [.read], placement: .fixed(0x20000))
        let before = space
        #expect(throws: LinuxError.invalidArgument) { try space.map(length: 0, protection: [.read], placement: .anywhere(hint: nil)) }
        #expect(throws: LinuxError.invalidArgument) { try space.map(length: 1, protection: [.read], placement: .fixed(0x20001)) }
        #expect(throws: LinuxError.invalidArgument) { try space.map(length: 1, protection: P(rawValue: 8), placement: .anywhere(hint: nil)) }
        #expect(throws: LinuxError.invalidArgument) { try space.map(length: UInt64.max, protection: [.read], placement: .anywhere(hint: nil)) }
        #expect(throws: LinuxError.exists) { try space.map(length: Self.page, protection: [.read], placement: .fixedNoReplace(0x20000)) }
        #expect(throws: LinuxError.outOfMemory) { try space.map(length: 1 << 30, protection: [.read], placement: .anywhere(hint: nil)) }
        #expect(throws: LinuxError.outOfMemory) { try space.protect(address: 0x20000, length: 2 * Self.page, protection: [.write]) }
        #expect(throws: LinuxError.invalidArgument) { try space.unmap(address: 0x20001, length: 1) }
        #expect(throws: LinuxError.invalidArgument) { try space.unmap(address: 0x20000, length: 0) }
        #expect(throws: LinuxError.invalidArgument) { try space.unmap(address: 0xFFFF_FFFF_FFFF_F000, length: 2 * Self.page) }
        #expect(space == before)
    }

    /// 20,000 random calls on a small window, against a model that keeps one protection per
    /// page: the same pages end up mapped with the same protections, every refusal is one the
    /// model agrees with, and the table stays sorted, disjoint and merged.
    @Test func randomCallsAgreeWithAPageModel() throws {
        let window: Range<UInt64> = 0x10000..<0x50000   // 64 pages
        var space = MemoryMappings(window: window)
        var model: [UInt64: P] = [:]
        var random = SystemRandomNumberGenerator()
        func pages(_ start: UInt64, _ length: UInt64) -> [UInt64] {
            let count = (length + Self.page - 1) / Self.page
            return (0..<count).map { start + $0 * Self.page }
        }
        for _ in 0..<20_000 {
            let address = window.lowerBound + UInt64.random(in: 0..<66, using: &random) * Self.page
            let length = UInt64.random(in: 1...(6 * Self.page), using: &random)
            let protection = P(rawValue: UInt32.random(in: 0...7, using: &random))
            switch Int.random(in: 0..<5, using: &random) {
            case 0:
                do {
                    let result = try space.map(length: length, protection: protection, placement: .anywhere(hint: Bool.random(using: &random) ? address : nil))
                    for page in pages(result.address, length) {
                        #expect(model[page] == nil && window.contains(page))
                        model[page] = protection
                    }
                } catch {
                    #expect(error == .outOfMemory)
                    let needed = Int((length + Self.page - 1) / Self.page)
                    var run = 0, longest = 0
                    for page in stride(from: window.lowerBound, to: window.upperBound, by: Int(Self.page)) {
                        run = model[page] == nil ? run + 1 : 0
                        longest = max(longest, run)
                    }
                    #expect(longest < needed, "refused although \(longest) free pages in a row")
                }
            case 1:
                let covered = pages(address, length)
                if covered.last! >= window.upperBound {
                    #expect(throws: LinuxError.outOfMemory) { try space.map(length: length, protection: protection, placement: .fixed(address)) }
                } else {
                    let replaced = try space.map(length: length, protection: protection, placement: .fixed(address)).replaced
                    #expect(replaced.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } / Self.page == UInt64(covered.filter { model[$0] != nil }.count))
                    for page in covered { model[page] = protection }
                }
            case 2:
                let covered = pages(address, length)
                let taken = try space.unmap(address: address, length: length)
                #expect(taken.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } / Self.page == UInt64(covered.filter { model[$0] != nil }.count))
                for page in covered { model[page] = nil }
            default:
                let covered = pages(address, length)
                if covered.allSatisfy({ model[$0] != nil }) {
                    try space.protect(address: address, length: length, protection: protection)
                    for page in covered { model[page] = protection }
                } else {
                    #expect(throws: LinuxError.outOfMemory) { try space.protect(address: address, length: length, protection: protection) }
                }
            }
            var seen: [UInt64: P] = [:]
            var previous: MemoryMappings.Mapping? = nil
            for mapping in space.mappings {
                #expect(mapping.range.lowerBound % Self.page == 0 && mapping.range.upperBound % Self.page == 0 && !mapping.range.isEmpty)
                if let previous {
                    #expect(previous.range.upperBound <= mapping.range.lowerBound)
                    #expect(previous.range.upperBound < mapping.range.lowerBound || previous.protection != mapping.protection, "merged")
                }
                previous = mapping
                for page in stride(from: mapping.range.lowerBound, to: mapping.range.upperBound, by: Int(Self.page)) { seen[page] = mapping.protection }
            }
            #expect(seen == model)
            if seen != model { break }
        }
    }
}

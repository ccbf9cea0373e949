import Testing
import X86
@testable import Boot

@Suite("The kernel's stack pool")
struct ThreadStacksTests {
    @Test func stacksAreDisjointGuardedSlotsAndComeBackForReuse() {
        let pool = ThreadStacks(base: 0x1000_0000_0000)
        guard let first = pool.take(), let second = pool.take() else { Issue.record("no stack"); return }
        #expect(first.base == 0x1000_0000_0000 + 4096)
        #expect(second.base == first.base + UInt64(ThreadStacks.slotBytes))
        #expect(first.size == ThreadStacks.stackBytes)
        let reused = first.base
        pool.give(first)
        let again = pool.take()?.base
        #expect(again == reused)
        _ = consume second
    }

    @Test func aStackFromElsewhereIsNotTakenIntoThePool() {
        let pool = ThreadStacks(base: 0x1000_0000_0000)
        let memory = SimulatedMemory(size: ThreadStacks.stackBytes)
        pool.give(unsafe ThreadStack(unsafeBase: memory.region.base, size: ThreadStacks.stackBytes))
        let first = pool.take()?.base
        #expect(first == 0x1000_0000_0000 + 4096)
    }
}

import Testing
import Dispatch
import X86

@Suite("InterruptSafeLock")
struct InterruptSafeLockTests {
    @Test func givesExclusiveAccessAcrossThreads() {
        let counter = InterruptSafeLock(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
        }
        #expect(counter.withLock { $0 } == 80_000)
    }

    @Test func refusesInsteadOfWaitingWhenAlreadyHeld() {
        let lock = InterruptSafeLock("value")
        let inner = lock.withLock { _ in lock.withLockIfAvailable { $0 } }
        #expect(inner == nil)
        #expect(lock.withLockIfAvailable { $0 } == "value")
    }
}

// The sound ways to use a lock with a non-Sendable value: move a fresh object in, take the
// whole value out, and read Sendable facts inside.
import X86

final class Counter { var value = 0 }

func use(_ lock: InterruptSafeLock<[Counter]>) -> Int {
    lock.withLock(moving: Counter()) { counters, counter in counters.append(counter) }
    let count = lock.withLock { $0.count }
    let all = lock.exchange(with: [])
    return count + all.count
}

func load(_ region: MemoryRegion) -> UInt64 {
    UInt64(region.load(as: UInt32.self, at: 0)) + region.load(as: UInt64.self, at: 8)
}

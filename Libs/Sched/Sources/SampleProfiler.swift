import Synchronization
import X86

/// A sampling profiler for finding where a workload spends its processors' time: while it
/// runs, every processor's timer fires at least once per ``period`` and each timer interrupt
/// records where it interrupted (the instruction pointer, and whether the program or the
/// kernel was running); ``report(top:)`` gives the most frequent places.
///
/// Guarantees: off unless started, and then it costs one timer interrupt per period per
/// processor; samples go into a table made once at ``start(samples:)`` and never grown (an
/// interrupt handler allocates nothing), and a full table stops sampling. A sample taken
/// while interrupts were off lands where they came back on (the end of a critical section),
/// as with any timer-driven profiler.
public enum SampleProfiler {
    struct Table {
        var addresses: [UInt64] = []
        var count = 0
        var running = false
    }

    static let table = InterruptSafeLock(Table())
    /// Timer ticks between samples, 0 when off (read by the scheduler's re-arming without the table's lock).
    static let periodTicks = Atomic<UInt64>(0)

    /// Samples every `nanoseconds` on each processor into a table of `samples` entries.
    public static func start(samples: Int = 1 << 18, everyNanoseconds nanoseconds: UInt64 = 1_000_000) {
        let storage = [UInt64](repeating: 0, count: samples)
        table.withLock(moving: storage) { table, storage in
            table.addresses = storage
            table.count = 0
            table.running = true
        }
        periodTicks.store(TimeSource.ticks(nanoseconds: nanoseconds), ordering: .relaxed)
    }

    /// The timer ticks between samples (0: not sampling).
    public static var period: UInt64 { periodTicks.load(ordering: .relaxed) }

    /// Records one sample of an interrupted context (from the timer's handler).
    public static func sample(_ frame: InterruptFrame) {
        guard period != 0 else { return }
        let user = frame.cs & 3 == 3
        table.withLock { table in
            guard table.running, table.count < table.addresses.count else { return }
            table.addresses[table.count] = frame.rip | (user ? 1 << 63 : 0)
            table.count += 1
        }
    }

    /// The `top` most sampled places, most first: (address, ring 3?, samples), and the total.
    public static func report(top: Int) -> (places: [(address: UInt64, user: Bool, samples: Int)], total: Int) {
        periodTicks.store(0, ordering: .relaxed)
        let taken = table.withLock { table -> [UInt64] in
            table.running = false
            return Array(table.addresses.prefix(table.count))
        }
        var sorted = taken
        sorted.sort()
        var runs: [(address: UInt64, user: Bool, samples: Int)] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end < sorted.count && sorted[end] == sorted[index] { end += 1 }
            runs.append((sorted[index] & ~(1 << 63), sorted[index] >> 63 == 1, end - index))
            index = end
        }
        runs.sort { $0.samples > $1.samples }
        return (Array(runs.prefix(top)), taken.count)
    }
}

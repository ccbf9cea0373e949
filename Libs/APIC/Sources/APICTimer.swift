import Sched
import X86

/// The local APIC timer in TSC-deadline mode: the deadline is written as is.
final class TSCDeadlineTimer: WakeupTimer {
    let apic: LocalAPIC
    init(apic: LocalAPIC) { self.apic = apic }
    func arm(deadline: UInt64) { apic.setDeadline(deadline) }
}

/// The local APIC timer in one-shot mode, for processors without TSC-deadline mode: the
/// deadline is converted to timer counts with a ratio measured at start-up.
final class OneShotTimer: WakeupTimer {
    let apic: LocalAPIC
    /// APIC timer counts per 2^20 TSC ticks.
    let countsPerMegatick: UInt64

    init(apic: LocalAPIC) {
        self.apic = apic
        apic.startCountdown(UInt32.max)
        let start = TimeStampCounter.read()
        while TimeStampCounter.read() &- start < 1 << 20 { Processor.pause() }
        let counted = UInt64(UInt32.max - apic.countdown)
        apic.startCountdown(0)
        countsPerMegatick = max(counted, 1)
    }

    func arm(deadline: UInt64) {
        guard deadline != 0 else { apic.startCountdown(0); return }
        let now = TimeStampCounter.read()
        let ticks = deadline > now ? deadline - now : 1
        let counts = ticks.multipliedFullWidth(by: countsPerMegatick).high == 0 ? (ticks * countsPerMegatick) >> 20 : UInt64(UInt32.max)
        apic.startCountdown(UInt32(clamping: max(counts, 1)))
    }
}

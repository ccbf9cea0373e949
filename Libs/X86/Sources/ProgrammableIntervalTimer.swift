/// The legacy 8254 programmable interval timer, used only to measure the TSC's frequency.
///
/// Guarantees: ``measureTSCFrequency()`` leaves channel 0 counting in mode 2 and raises no
/// interrupt the kernel sees (Boot masks the legacy PICs); without a PIT it falls back to
/// 1 GHz rather than hanging.
public enum ProgrammableIntervalTimer {
    /// The PIT's input clock in Hz.
    public static let frequency: UInt64 = 1_193_182
    // SAFETY (both): the PIT's channel 0 and mode registers, which only count and raise IRQ 0
    // (masked at the legacy PIC, routed by the I/O APIC only if a module asks).
    static let channel0 = unsafe Port<UInt8>(0x40)
    static let command = unsafe Port<UInt8>(0x43)

    /// Reads channel 0's current count (latched).
    static func count() -> UInt16 {
        command.write(0x00)                      // latch channel 0
        let low = UInt16(channel0.read())
        let high = UInt16(channel0.read())
        return high << 8 | low
    }

    /// TSC ticks per second, measured over about 2 ms of PIT time.
    public static func measureTSCFrequency() -> UInt64 {
        command.write(0x34)                      // channel 0, lobyte/hibyte, mode 2, binary
        channel0.write(0xFF)
        channel0.write(0xFF)
        let pitTicks: UInt64 = 2_400             // about 2 ms
        var last = count()
        var elapsed: UInt64 = 0
        let start = TimeStampCounter.read()
        var polls = 0
        while elapsed < pitTicks {
            let now = count()
            elapsed += UInt64(last &- now)       // counts down, wrapping at 0
            last = now
            polls += 1
            if polls > 10_000_000 { return 1_000_000_000 }   // no PIT: assume 1 GHz
        }
        let tsc = TimeStampCounter.read() &- start
        return tsc * frequency / elapsed
    }

    /// Makes channel 0 raise IRQ 0 `hertz` times a second (mode 2, rate generator).
    public static func startPeriodic(hertz: UInt64) {
        let reload = UInt16(clamping: max(frequency / max(hertz, 1), 2))
        command.write(0x34)
        channel0.write(UInt8(truncatingIfNeeded: reload))
        channel0.write(UInt8(truncatingIfNeeded: reload >> 8))
    }
}

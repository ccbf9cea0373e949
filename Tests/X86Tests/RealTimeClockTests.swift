import Testing
import X86

/// The CMOS clock's decoding (the port reads need a machine; the image tests boot one):
/// checked against the host's own calendar arithmetic and the modes of status register B.
@Suite("Real-time clock")
struct RealTimeClockTests {
    @Test func datesBecomeTheSecondsTheHostsCalendarGives() throws {
        #expect(RealTimeClock.secondsSinceEpoch(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0) == 0)
        #expect(RealTimeClock.secondsSinceEpoch(year: 2000, month: 2, day: 29, hour: 12, minute: 0, second: 0) == 951_825_600)
        #expect(RealTimeClock.secondsSinceEpoch(year: 2026, month: 12, day: 2, hour: 18, minute: 30, second: 5) == 1_796_236_205)
        #expect(RealTimeClock.secondsSinceEpoch(year: 2100, month: 2, day: 29, hour: 0, minute: 0, second: 0) == nil)   // not a leap year
        #expect(RealTimeClock.secondsSinceEpoch(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59) == nil)
        #expect(RealTimeClock.secondsSinceEpoch(year: 2026, month: 13, day: 1, hour: 0, minute: 0, second: 0) == nil)
        // Every day of four years against the host's timegm (via the day count it implies).
        var previous = RealTimeClock.secondsSinceEpoch(year: 2023, month: 12, day: 31, hour: 0, minute: 0, second: 0)!
        for (month, length) in [(1, 31), (2, 29), (3, 31), (4, 30), (5, 31), (6, 30), (7, 31), (8, 31), (9, 30), (10, 31), (11, 30), (12, 31)] {
            for day in 1...length {
                let seconds = try #require(RealTimeClock.secondsSinceEpoch(year: 2024, month: month, day: day, hour: 0, minute: 0, second: 0))
                #expect(seconds == previous + 86_400)
                previous = seconds
            }
        }
    }

    @Test func bcdBinaryAnd12HourReadingsDecode() {
        // 2026-12-02 18:30:05 in BCD, 24-hour mode (status B 0x02), century 0x20.
        #expect(RealTimeClock.decode([0x05, 0x30, 0x18, 0x02, 0x12, 0x26, 0x20], status: 0x02) == 1_796_236_205)
        // The same in binary (0x06) and in BCD 12-hour mode: 6 PM is 0x86.
        #expect(RealTimeClock.decode([5, 30, 18, 2, 12, 26, 20], status: 0x06) == 1_796_236_205)
        #expect(RealTimeClock.decode([0x05, 0x30, 0x86, 0x02, 0x12, 0x26, 0x20], status: 0x00) == 1_796_236_205)
        #expect(RealTimeClock.decode([0x05, 0x30, 0x12, 0x02, 0x12, 0x26, 0x20], status: 0x00) == 1_796_236_205 - 18 * 3600)   // 12 AM is midnight
        // Impossible readings: a BCD digit above 9, hour 0 in 12-hour mode, a short reading.
        #expect(RealTimeClock.decode([0x0A, 0x30, 0x18, 0x02, 0x12, 0x26, 0x20], status: 0x02) == nil)
        #expect(RealTimeClock.decode([0x05, 0x30, 0x00, 0x02, 0x12, 0x26, 0x20], status: 0x00) == nil)
        #expect(RealTimeClock.decode([0x05, 0x30], status: 0x02) == nil)
        // No century register (0xFF or 0): years below 70 are 20xx.
        #expect(RealTimeClock.decode([0x05, 0x30, 0x18, 0x02, 0x12, 0x26, 0xFF], status: 0x02) == 1_796_236_205)
    }
}

/// The CMOS real-time clock (MC146818, ports 0x70/0x71): the date and time the machine
/// starts with, for the programs' CLOCK_REALTIME.
///
/// Guarantees: ``secondsSinceEpoch()`` reads the clock under its own lock (the index and
/// data ports are one two-step conversation), waits out an update in progress, reads until
/// two readings agree, and decodes BCD or binary and 12- or 24-hour modes as the status
/// register says; a clock that never settles or shows an impossible date gives nil, never a
/// wrong time. It only selects CMOS registers 0x00…0x0B and 0x32 and reads them, with NMIs
/// left enabled: it writes no memory and changes no clock setting, so any caller is sound.
public enum RealTimeClock {
    // SAFETY (both): the CMOS index and data ports; writing the index selects a register
    // (bit 7 clear keeps NMIs enabled), reading the data port reads it. Neither touches
    // memory, and only the registers named above are selected.
    static let index = unsafe Port<UInt8>(0x70)
    static let data = unsafe Port<UInt8>(0x71)
    static let lock = InterruptSafeLock<Void>(())

    /// Seconds since 1970-01-01 00:00:00 UTC as the clock shows them (QEMU keeps it in UTC),
    /// or nil when it shows no usable time.
    public static func secondsSinceEpoch() -> UInt64? {
        lock.withLock { _ -> UInt64? in
            var previous: [UInt8]? = nil
            for _ in 0..<8 {
                var waits = 0
                while register(0x0A) & 0x80 != 0 {   // an update is in progress
                    waits += 1
                    if waits > 1_000_000 { return nil }
                }
                let reading = [0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32].map { register($0) }
                if reading == previous {
                    return decode(reading, status: register(0x0B))
                }
                previous = reading
            }
            return nil
        }
    }

    static func register(_ number: UInt8) -> UInt8 {
        index.write(number)
        return data.read()
    }

    /// Seconds since the epoch of a reading (second, minute, hour, day, month, year, century
    /// registers) in the modes of status register B; nil for an impossible date.
    public static func decode(_ reading: [UInt8], status: UInt8) -> UInt64? {
        guard reading.count == 7 else { return nil }
        let binary = status & 0x04 != 0, twentyFourHour = status & 0x02 != 0
        func value(_ byte: UInt8) -> Int? {
            if binary { return Int(byte) }
            let high = Int(byte >> 4), low = Int(byte & 0x0F)
            guard high <= 9, low <= 9 else { return nil }
            return high * 10 + low
        }
        guard let second = value(reading[0]), let minute = value(reading[1]), let day = value(reading[3]),
              let month = value(reading[4]), let shortYear = value(reading[5]) else { return nil }
        let pm = !twentyFourHour && reading[2] & 0x80 != 0
        guard var hour = value(reading[2] & (twentyFourHour ? 0xFF : 0x7F)) else { return nil }
        if !twentyFourHour {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (pm ? 12 : 0)
        }
        let century = value(reading[6]).flatMap { (19...99).contains($0) ? $0 : nil } ?? (shortYear < 70 ? 20 : 19)
        let year = century * 100 + shortYear
        return secondsSinceEpoch(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    /// Seconds since the epoch of a UTC date and time (proleptic Gregorian calendar); nil
    /// for a date before 1970 or a field out of range.
    public static func secondsSinceEpoch(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> UInt64? {
        guard year >= 1970, year <= 9999, (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[month - 1]).contains(day) else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm, in eras of 400 years).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return UInt64(days) * 86_400 + UInt64(hour * 3600 + minute * 60 + second)
    }
}

/// The clock calls: `clock_gettime`, `clock_getres`, `gettimeofday` and `time`. They need no
/// process state, so the mechanism may serve them without the process's lock (as Linux's
/// vDSO serves them without entering the kernel).
extension LinuxProcess {
    /// Serves clock call `call` with the clocks' readings now (nanoseconds).
    public static func serveClock(_ call: SystemCallNumber, _ a: [UInt64], _ memory: some ProgramMemory,
                                  realTime: @autoclosure () -> UInt64, monotonic: @autoclosure () -> UInt64) throws(LinuxError) -> Int64 {
        switch call {
        case .clockGettime, .clockGetres:
            let nanoseconds: UInt64
            switch a[0] {
            case 0, 5: nanoseconds = realTime()                       // REALTIME, REALTIME_COARSE
            case 1, 2, 3, 4, 6, 7: nanoseconds = monotonic()          // MONOTONIC, CPU times, RAW, COARSE, BOOTTIME
            default: throw .invalidArgument
            }
            if a[1] == 0 { return 0 }
            let value = call == .clockGetres ? 1 : nanoseconds
            var bytes: [UInt8] = []
            LittleEndian.append(value / 1_000_000_000, to: &bytes)
            LittleEndian.append(value % 1_000_000_000, to: &bytes)
            guard memory.write(a[1], bytes) else { throw .badAddress }
            return 0
        case .gettimeofday:
            if a[0] != 0 {
                let now = realTime()
                var bytes: [UInt8] = []
                LittleEndian.append(now / 1_000_000_000, to: &bytes)
                LittleEndian.append(now % 1_000_000_000 / 1000, to: &bytes)
                guard memory.write(a[0], bytes) else { throw .badAddress }
            }
            if a[1] != 0 { guard memory.write(a[1], Array(repeating: 0, count: 8)) else { throw .badAddress } }
            return 0
        case .time:
            let seconds = Int64(realTime() / 1_000_000_000)
            if a[0] != 0 {
                var bytes: [UInt8] = []
                LittleEndian.append(UInt64(bitPattern: seconds), to: &bytes)
                guard memory.write(a[0], bytes) else { throw .badAddress }
            }
            return seconds
        default:
            throw .notImplemented
        }
    }

    /// The clock calls, the ones ``serveClock(_:_:_:realTime:monotonic:)`` serves.
    public static let clockCalls: [SystemCallNumber] = [.clockGettime, .clockGetres, .gettimeofday, .time]

    /// Whether `number` is one of the clock calls.
    public static func isClockCall(_ number: UInt64) -> Bool { clockCalls.contains { UInt64($0.rawValue) == number } }
}

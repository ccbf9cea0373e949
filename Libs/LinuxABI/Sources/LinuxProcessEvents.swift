/// The event descriptors' system calls: eventfd, timerfd and epoll, served without blocking
/// (a call that would block answers `EAGAIN`, or no events; the mechanism sleeps and retries).
extension LinuxProcess {
    static let semaphoreFlag: UInt64 = 1
    static let descriptorFlags: UInt64 = UInt64(OpenFlags.nonBlocking) | UInt64(OpenFlags.closeOnExec)

    func serveEvents(_ call: SystemCallNumber, _ a: [UInt64], _ memory: some ProgramMemory) throws(LinuxError) -> Int64 {
        switch call {
        case .eventfd, .eventfd2:
            let flags = call == .eventfd ? 0 : a[1]
            guard flags & ~(Self.descriptorFlags | Self.semaphoreFlag) == 0, a[0] <= UInt64(UInt32.max) else { throw .invalidArgument }
            let counter = EventCounter(value: a[0], semaphore: flags & Self.semaphoreFlag != 0)
            return Int64(try files.open(event: .counter(counter), flags: Int32(truncatingIfNeeded: flags)))
        case .timerfdCreate:
            guard [0, 1, 7].contains(a[0]), a[1] & ~Self.descriptorFlags == 0 else { throw .invalidArgument }   // REALTIME, MONOTONIC, BOOTTIME
            return Int64(try files.open(event: .timer(IntervalTimer(clock: Int32(a[0]))), flags: Int32(truncatingIfNeeded: a[1])))
        case .timerfdSettime:
            guard case .timer(let timer) = try files.file(fd(a[0])).event else { throw .invalidArgument }
            guard a[1] & ~UInt64(3) == 0 else { throw .invalidArgument }   // TFD_TIMER_ABSTIME, CANCEL_ON_SET
            guard let setting = memory.read(a[2], count: 32) else { throw .badAddress }
            guard let interval = Self.nanoseconds(setting, at: 0), let value = Self.nanoseconds(setting, at: 16) else { throw .invalidArgument }
            let now = monotonicClock()
            var deadline: UInt64 = 0
            if value != 0 {
                if a[1] & 1 != 0 {
                    let clockNow = timer.clock == 0 ? realTimeClock() : now
                    deadline = now &+ (value > clockNow ? value - clockNow : 0)
                    if deadline == 0 { deadline = 1 }
                } else {
                    deadline = now &+ value
                }
            }
            let old = timer.set(deadline: deadline, interval: interval, now: now)
            if a[3] != 0 { guard memory.write(a[3], Self.timerSpecification(interval: old.interval, value: old.left)) else { throw .badAddress } }
            eventsChanged = true
            return 0
        case .timerfdGettime:
            guard case .timer(let timer) = try files.file(fd(a[0])).event else { throw .invalidArgument }
            let now = monotonicClock()
            timer.advance(to: now)
            let left = timer.deadline == 0 ? 0 : timer.deadline - min(timer.deadline, now)
            guard memory.write(a[1], Self.timerSpecification(interval: timer.interval, value: left)) else { throw .badAddress }
            return 0
        case .epollCreate, .epollCreate1:
            if call == .epollCreate { guard Int32(truncatingIfNeeded: a[0]) > 0 else { throw .invalidArgument } }
            let flags = call == .epollCreate ? 0 : a[0]
            guard flags & ~UInt64(OpenFlags.closeOnExec) == 0 else { throw .invalidArgument }
            return Int64(try files.open(event: .poll(EventPoll()), flags: Int32(truncatingIfNeeded: flags)))
        case .epollControl:
            guard case .poll(let poll) = try files.file(fd(a[0])).event else { throw .invalidArgument }
            let target = try files.file(fd(a[2]))
            guard fd(a[2]) != fd(a[0]) else { throw .invalidArgument }
            if case .poll = target.event { throw .invalidArgument }   // nested epoll: not served
            var events: UInt32 = 0, data: UInt64 = 0
            if a[1] != 2 {
                guard let bytes = memory.read(a[3], count: 12) else { throw .badAddress }
                events = LittleEndian.word32(bytes, at: 0)   // unknown bits are ignored, as Linux does
                data = LittleEndian.word(bytes, at: 4)
            }
            try poll.control(Int32(truncatingIfNeeded: a[1]), descriptor: fd(a[2]), events: events, data: data)
            eventsChanged = true
            return 0
        case .epollWait, .epollPwait:
            guard case .poll(let poll) = try files.file(fd(a[0])).event else { throw .invalidArgument }
            let maximum = Int32(truncatingIfNeeded: a[2])
            guard maximum > 0, maximum <= 1 << 16 else { throw .invalidArgument }
            let now = monotonicClock()
            let ready = poll.collect(maximum: Int(maximum), readiness: { descriptor in readiness(descriptor, now: now) },
                                     activity: { descriptor in activity(descriptor) })
            var bytes: [UInt8] = []
            for event in ready {
                LittleEndian.append(event.events, to: &bytes)
                LittleEndian.append(event.data, to: &bytes)
            }
            if !bytes.isEmpty { guard memory.write(a[1], bytes) else { throw .badAddress } }
            return Int64(ready.count)
        default:
            throw .notImplemented
        }
    }

    /// Whether `epoll_wait` on `descriptor` would return events now (consuming none); true
    /// for a descriptor that is no epoll set, so its waiter looks again itself.
    public func epollHasEvents(_ descriptor: Int32) -> Bool {
        guard case .poll(let poll)? = (try? files.file(descriptor))?.event else { return true }
        let now = monotonicClock()
        return poll.hasReady(readiness: { readiness($0, now: now) }, activity: { activity($0) })
    }

    /// `read` on an event descriptor: the counter's value or the timer's expirations.
    func readEvent(_ descriptor: Int32, count: UInt64) throws(LinuxError) -> UInt64 {
        guard count >= 8 else { throw .invalidArgument }
        switch try files.file(descriptor).event {
        case .counter(let counter):
            let value = try counter.take()
            eventsChanged = true
            return value
        case .timer(let timer): return try timer.take(now: monotonicClock())
        case .poll, .pipe, .socket, nil: throw .invalidArgument
        }
    }

    /// `write` on an event descriptor: only counters take one.
    func writeEvent(_ descriptor: Int32, value: UInt64) throws(LinuxError) {
        guard case .counter(let counter) = try files.file(descriptor).event else { throw .invalidArgument }
        try counter.add(value)
        eventsChanged = true
    }

    /// What `descriptor` is ready for now (nil: it is closed).
    func readiness(_ descriptor: Int32, now: UInt64) -> UInt32? {
        guard let open = try? files.file(descriptor) else { return nil }
        switch open.event {
        case .counter(let counter): return (counter.readable ? EventPoll.input : 0) | (counter.value < UInt64.max - 1 ? EventPoll.output : 0)
        case .timer(let timer): return timer.readable(now: now) ? EventPoll.input : 0
        case .poll: return 0
        case .pipe(let end): return end.buffer.readiness(reading: end.reading)
        case .socket(let socket): return socket.readiness
        case nil:
            if case .device(.console) = open.node.content { return EventPoll.output }   // no input arrives on the console yet
            return EventPoll.input | EventPoll.output
        }
    }

    /// How often something arrived at `descriptor` or room was freed for it (an edge for
    /// `EPOLLET`); counters and timers show every edge in their readiness already.
    func activity(_ descriptor: Int32) -> UInt64 {
        guard let open = try? files.file(descriptor) else { return 0 }
        switch open.event {
        case .pipe(let end): return end.reading ? end.buffer.puts : end.buffer.takes
        case .socket(let socket): return socket.activity
        case .counter(let counter): return counter.writes
        default: return 0
        }
    }

    /// The earliest armed timer's deadline, for a thread that sleeps waiting for events.
    public var nextTimerDeadline: UInt64? {
        var next: UInt64? = nil
        for (_, open) in files.openDescriptors {
            if case .timer(let timer) = open.event, timer.deadline != 0 { next = min(next ?? .max, timer.deadline) }
        }
        return next
    }

    /// Whether a read of `descriptor` should wait for events (a blocking event descriptor).
    public func waitsForEvents(_ descriptor: Int32) -> Bool {
        guard let open = try? files.file(descriptor), open.event != nil else { return false }
        return !open.nonBlocking
    }

    func forgetInEventPolls(_ descriptor: Int32) {
        for (_, open) in files.openDescriptors {
            if case .poll(let poll) = open.event { poll.forget(descriptor) }
        }
        eventsChanged = true
    }

    /// A `struct timespec` at `offset` of `bytes` in nanoseconds (saturating at 2^62); nil when
    /// invalid (negative seconds, or nanoseconds of 10^9 or more). Also the runtime's reader of
    /// the timespecs of futex and nanosleep.
    public static func nanoseconds(_ bytes: [UInt8], at offset: Int) -> UInt64? {
        let seconds = LittleEndian.word(bytes, at: offset), fraction = LittleEndian.word(bytes, at: offset + 8)
        guard Int64(bitPattern: seconds) >= 0, fraction < 1_000_000_000 else { return nil }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? UInt64.max / 4 : min(scaled &+ fraction, UInt64.max / 4)
    }

    /// A `struct itimerspec`.
    static func timerSpecification(interval: UInt64, value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        for nanoseconds in [interval, value] {
            LittleEndian.append(nanoseconds / 1_000_000_000, to: &bytes)
            LittleEndian.append(nanoseconds % 1_000_000_000, to: &bytes)
        }
        return bytes
    }
}

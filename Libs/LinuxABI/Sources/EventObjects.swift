/// The descriptors that are kernel objects rather than files: `eventfd`, `timerfd` and `epoll`
/// (what Dispatch and SwiftNIO build their event loops on), the ends of a pipe, and sockets. Pure state: the mechanism puts a
/// thread to sleep when a call would block (`EAGAIN` here) and wakes it when any of these
/// changes or a timer's deadline passes.
///
/// Guarantees: the semantics are Linux's — an event counter adds writes (refusing to reach
/// 2^64 − 1) and a read takes the whole count, or one in semaphore mode; a timer counts the
/// expirations since its last read, re-arming by its interval; an epoll set reports a
/// descriptor when one of the events asked for (or always EPOLLERR/EPOLLHUP) is ready, with
/// EPOLLONESHOT disarming it after one report and EPOLLET reporting only changes.
public enum EventObject {
    case counter(EventCounter)
    case timer(IntervalTimer)
    case poll(EventPoll)
    case pipe(PipeEnd)
    case socket(Socket)
}

/// `eventfd`: a 64-bit counter.
public final class EventCounter {
    public var value: UInt64
    public let semaphore: Bool
    /// How many writes added to it (an edge for `EPOLLET`).
    public private(set) var writes: UInt64 = 0

    public init(value: UInt64, semaphore: Bool) {
        self.value = value
        self.semaphore = semaphore
    }

    /// `read`: the count (or 1 in semaphore mode), which it takes; EAGAIN at zero.
    public func take() throws(LinuxError) -> UInt64 {
        guard value > 0 else { throw .tryAgain }
        let taken = semaphore ? 1 : value
        value -= taken
        return taken
    }

    /// `write`: adds `amount`; EAGAIN if the sum would reach 2^64 − 1, EINVAL for that value.
    public func add(_ amount: UInt64) throws(LinuxError) {
        guard amount != UInt64.max else { throw .invalidArgument }
        guard UInt64.max - 1 - value >= amount else { throw .tryAgain }
        value += amount
        writes &+= 1
    }

    public var readable: Bool { value > 0 }
}

/// `timerfd`: a deadline on the monotonic clock (nanoseconds), an interval, and the
/// expirations not yet read.
public final class IntervalTimer {
    public let clock: Int32
    /// The next expiry (0: disarmed).
    public var deadline: UInt64 = 0
    public var interval: UInt64 = 0
    var pending: UInt64 = 0

    public init(clock: Int32) { self.clock = clock }

    /// Moves the expirations up to `now` into the pending count (re-arming by the interval).
    public func advance(to now: UInt64) {
        guard deadline != 0, now >= deadline else { return }
        if interval == 0 {
            pending &+= 1
            deadline = 0
        } else {
            let periods = (now - deadline) / interval + 1
            pending &+= periods
            deadline &+= periods &* interval
        }
    }

    /// `read`: the expirations since the last read; EAGAIN when none.
    public func take(now: UInt64) throws(LinuxError) -> UInt64 {
        advance(to: now)
        guard pending > 0 else { throw .tryAgain }
        defer { pending = 0 }
        return pending
    }

    /// `timerfd_settime`: arms at `deadline` (0 disarms) with `interval`; the old setting's
    /// time left and interval.
    public func set(deadline newDeadline: UInt64, interval newInterval: UInt64, now: UInt64) -> (left: UInt64, interval: UInt64) {
        advance(to: now)
        let old = (deadline == 0 ? 0 : deadline - min(deadline, now), interval)
        deadline = newDeadline
        interval = newInterval
        pending = 0
        return old
    }

    public func readable(now: UInt64) -> Bool { pending > 0 || (deadline != 0 && now >= deadline) }
}

/// `epoll`: the interest list.
public final class EventPoll {
    public struct Interest: Sendable, Equatable {
        public var events: UInt32
        public var data: UInt64
        /// EPOLLONESHOT fired: reports nothing until EPOLL_CTL_MOD.
        var disarmed = false
        /// EPOLLET: the readiness last reported, and the descriptor's activity then.
        var reported: UInt32 = 0
        var reportedActivity: UInt64 = 0
    }

    public static let input: UInt32 = 0x001, output: UInt32 = 0x004, error: UInt32 = 0x008, hangUp: UInt32 = 0x010
    public static let readHangUp: UInt32 = 0x2000, edgeTriggered: UInt32 = 1 << 31, oneShot: UInt32 = 1 << 30
    public static let exclusive: UInt32 = 1 << 28, wakeUp: UInt32 = 1 << 29

    /// The interest list, sorted by descriptor: `epoll_wait` walks it in order without
    /// sorting or hashing, and `epoll_ctl` finds a descriptor by binary search.
    var entries: [(descriptor: Int32, interest: Interest)] = []

    /// The interest list by descriptor.
    public var interests: [Int32: Interest] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.descriptor, $0.interest) })
    }

    public init() {}

    /// Where `descriptor` is in ``entries``, or where it would go.
    func position(of descriptor: Int32) -> (index: Int, found: Bool) {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].descriptor < descriptor { low = middle + 1 } else { high = middle }
        }
        return (low, low < entries.count && entries[low].descriptor == descriptor)
    }

    /// `epoll_ctl`: ADD (1), DEL (2), MOD (3).
    public func control(_ operation: Int32, descriptor: Int32, events: UInt32, data: UInt64) throws(LinuxError) {
        let (index, found) = position(of: descriptor)
        switch operation {
        case 1:
            guard !found else { throw .exists }
            entries.insert((descriptor, Interest(events: events, data: data)), at: index)
        case 2:
            guard found else { throw .noEntry }
            entries.remove(at: index)
        case 3:
            guard found else { throw .noEntry }
            entries[index].interest = Interest(events: events, data: data)
        default:
            throw .invalidArgument
        }
    }

    /// Forgets a descriptor that was closed.
    public func forget(_ descriptor: Int32) {
        let (index, found) = position(of: descriptor)
        if found { entries.remove(at: index) }
    }

    /// What `interest` reports given its descriptor's readiness `now`: the events that count
    /// (asked for, or an error or hang-up), the fresh ones among them — all of them for
    /// level-triggered interest; for edge-triggered, those that came up since its last report,
    /// or all when the descriptor's activity moved — and that activity (read only for
    /// edge-triggered interest).
    static func report(_ interest: Interest, readiness now: UInt32, activity: () -> UInt64) -> (events: UInt32, fresh: UInt32, moved: UInt64) {
        let events = now & (interest.events | EventPoll.error | EventPoll.hangUp)
        guard interest.events & EventPoll.edgeTriggered != 0 else { return (events, events, 0) }
        let moved = activity()
        return (events, moved != interest.reportedActivity ? events : events & ~interest.reported, moved)
    }

    /// Whether ``collect(maximum:readiness:activity:)`` would report a descriptor now; changes
    /// nothing (no edge or one-shot report is consumed). For deciding whether a thread
    /// waiting on this set needs waking.
    public func hasReady(readiness: (Int32) -> UInt32?, activity: (Int32) -> UInt64 = { _ in 0 }) -> Bool {
        entries.contains { entry in
            guard !entry.interest.disarmed, let now = readiness(entry.descriptor) else { return false }   // closed: collect drops it
            return Self.report(entry.interest, readiness: now) { activity(entry.descriptor) }.fresh != 0
        }
    }

    /// Up to `maximum` ready descriptors as (events, data), given each one's readiness now;
    /// consumes one-shot and edge-triggered reports. An edge-triggered descriptor is reported
    /// when a bit it is interested in came up since its last report, or when its `activity`
    /// (a count of arrivals and freed room) moved while such a bit is set: bytes that arrive at
    /// a socket that was drained, or never was, are an edge, as in Linux.
    public func collect(maximum: Int, readiness: (Int32) -> UInt32?, activity: (Int32) -> UInt64 = { _ in 0 }) -> [(events: UInt32, data: UInt64)] {
        var ready: [(events: UInt32, data: UInt64)] = []
        var closed = false
        var index = 0
        while index < entries.count && ready.count < maximum {
            defer { index += 1 }
            let descriptor = entries[index].descriptor
            guard let now = readiness(descriptor) else { closed = true; entries[index].descriptor = -1; continue }   // closed
            guard !entries[index].interest.disarmed else { continue }
            let report = Self.report(entries[index].interest, readiness: now) { activity(descriptor) }
            if entries[index].interest.events & EventPoll.edgeTriggered != 0 {
                entries[index].interest.reported = report.events
                entries[index].interest.reportedActivity = report.moved
            }
            guard report.fresh != 0 else { continue }
            if entries[index].interest.events & EventPoll.oneShot != 0 { entries[index].interest.disarmed = true }
            ready.append((report.events, entries[index].interest.data))
        }
        if closed { entries.removeAll { $0.descriptor < 0 } }
        return ready
    }
}

/// Sleeping threads ordered by wake-up time (in TSC ticks).
///
/// Guarantees: ``wakeExpired(now:)`` returns every thread whose deadline is at or before
/// `now`, earliest first (ties in the order they went to sleep), and no other.
public struct SleepQueue: Sendable {
    var sleepers: [(deadline: UInt64, thread: ThreadID)] = []

    public init() {}

    public var isEmpty: Bool { sleepers.isEmpty }
    public var count: Int { sleepers.count }

    /// The earliest deadline, or nil when nobody sleeps (kept up to date, so reading it is
    /// one load).
    public private(set) var nextDeadline: UInt64? = nil

    /// Adds `thread`, to be woken at `deadline`.
    public mutating func add(_ thread: ThreadID, deadline: UInt64) {
        var index = sleepers.count
        while index > 0 && sleepers[index - 1].deadline > deadline { index -= 1 }
        sleepers.insert((deadline, thread), at: index)
        nextDeadline = sleepers[0].deadline
    }

    /// Takes `thread` out of the queue (it was woken early); false if it was not in it.
    @discardableResult
    public mutating func remove(_ thread: ThreadID) -> Bool {
        guard let index = sleepers.firstIndex(where: { $0.thread == thread }) else { return false }
        sleepers.remove(at: index)
        nextDeadline = sleepers.first?.deadline
        return true
    }

    /// Removes and returns the threads due at `now`.
    public mutating func wakeExpired(now: UInt64) -> [ThreadID] {
        var count = 0
        while count < sleepers.count && sleepers[count].deadline <= now { count += 1 }
        guard count > 0 else { return [] }
        let woken = sleepers[0..<count].map { $0.thread }
        sleepers.removeFirst(count)
        nextDeadline = sleepers.first?.deadline
        return woken
    }
}

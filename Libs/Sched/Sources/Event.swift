import X86

/// A one-way signal: threads ``wait()`` until some thread calls ``set()``; after that,
/// waiting returns at once until ``reset()``.
public final class Event: Sendable {
    struct State: Sendable {
        var isSet = false
        var waiters = WaitQueue()
    }

    let state = InterruptSafeLock(State())

    public init() {}

    /// Waits until the event is set.
    public func wait() {
        let me = CoreScheduler.current
        while state.withLock({ s -> Bool in
            if s.isSet { return false }
            s.waiters.add(me)
            return true
        }) { CoreScheduler.block() }
    }

    /// Sets the event and wakes every waiter.
    public func set() {
        let woken = state.withLock { s -> [ThreadID] in
            s.isSet = true
            return s.waiters.takeAll()
        }
        for thread in woken { CoreScheduler.wake(thread) }
    }

    /// Clears the event.
    public func reset() { state.withLock { $0.isSet = false } }
}

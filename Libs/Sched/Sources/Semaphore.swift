import X86

/// A counting semaphore: ``wait()`` takes a unit, blocking while there is none; ``signal()``
/// gives one back and wakes the longest waiter.
public final class Semaphore: Sendable {
    struct State: Sendable {
        var value: Int
        var waiters = WaitQueue()
        var handedOver: [ThreadID] = []
    }

    let state: InterruptSafeLock<State>

    /// A semaphore holding `value` units.
    public init(value: Int) {
        precondition(value >= 0, "a semaphore starts with zero or more units")
        state = InterruptSafeLock(State(value: value))
    }

    /// Takes a unit, waiting for one if none is left.
    public func wait() {
        let me = CoreScheduler.current
        let took = state.withLock { s -> Bool in
            if s.value > 0 { s.value -= 1; return true }
            s.waiters.add(me)
            return false
        }
        if took { return }
        while !state.withLock({ s -> Bool in
            guard let index = s.handedOver.firstIndex(of: me) else { return false }
            s.handedOver.remove(at: index)
            return true
        }) { CoreScheduler.block() }
    }

    /// Gives a unit back (to the longest waiter, if any).
    public func signal() {
        let woken = state.withLock { s -> ThreadID? in
            if let waiter = s.waiters.takeFirst() { s.handedOver.append(waiter); return waiter }
            s.value += 1
            return nil
        }
        if let woken { CoreScheduler.wake(woken) }
    }

    /// Units available now.
    public var value: Int { state.withLock { $0.value } }
}

import X86

/// A lock that puts waiting threads to sleep instead of spinning, guarding a value.
///
/// Shaped like X86's `InterruptSafeLock`: the value enters as `sending` and the closure may
/// hand out only `Sendable` results, so no non-Sendable reference inside it reaches another
/// thread without the lock.
///
/// Guarantees: at most one thread is inside ``withLock(_:)`` at a time; waiters are admitted
/// in the order they arrived (ownership is handed over directly, so no thread can barge
/// ahead); a thread that waits does not run until the lock is its own.
public final class Mutex<Value: ~Copyable>: Sendable {
    struct State: Sendable {
        var owner: ThreadID? = nil
        var waiters = WaitQueue()
    }

    let state = InterruptSafeLock(State())
    let storage: InterruptSafeLock<Value>

    /// A mutex guarding `value`.
    public init(_ value: consuming sending Value) { storage = InterruptSafeLock(value) }

    /// Runs `body` with exclusive access to the value, waiting for the lock if needed.
    public func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R {
        lock()
        defer { unlock() }
        guard let result = storage.withLockIfAvailable(body) else { preconditionFailure("a held mutex's storage was busy") }
        return result
    }

    func lock() {
        let me = CoreScheduler.current
        let acquired = state.withLock { s -> Bool in
            if s.owner == nil { s.owner = me; return true }
            s.waiters.add(me)
            return false
        }
        if acquired { return }
        // Ownership is handed to us by unlock(); wait until it has been.
        while state.withLock({ $0.owner != me }) { CoreScheduler.block() }
    }

    func unlock() {
        let next = state.withLock { s -> ThreadID? in
            s.owner = s.waiters.takeFirst()
            return s.owner
        }
        if let next { CoreScheduler.wake(next) }
    }
}

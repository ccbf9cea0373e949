import Synchronization

/// A spin lock that also keeps interrupts off on this processor while it is held, guarding a
/// value of type `Value`. This is how kernel modules keep global state without `unsafe`.
///
/// Shaped like the standard library's `Synchronization.Mutex`, and stricter: the value comes
/// in as `sending`, the closure sees it as `inout sending`, values move in only as `sending`
/// arguments (``withLock(moving:_:)``) and out only whole (``exchange(with:)``), and results
/// must be `Sendable`. So the compiler's region analysis proves that no non-`Sendable`
/// reference inside the value is reachable from code on another processor without the lock.
/// (Swift 6.3 does not reject `mutex.withLock { $0 }` returning a non-Sendable value as a
/// `sending` result; requiring `Sendable` results closes that hole.)
///
/// Guarantees: ``withLock(_:)`` gives exclusive access to the value across all processors,
/// in the order processors asked for it (a ticket lock, so no processor starves); because
/// interrupts are disabled while the lock is held, an interrupt handler on the same processor
/// can never spin on a lock its own processor holds. Do not call a function that may block or
/// switch threads while holding the lock.
public final class InterruptSafeLock<Value: ~Copyable>: @unchecked Sendable {
    // SAFETY: `value` is only touched while `lock` (a ticket lock, interrupts off) is held,
    // so one context at a time accesses it; it enters as `sending` and leaves closures only as
    // `Sendable` results or whole, so no non-Sendable part of it is reachable from two
    // processors (the argument of Synchronization.Mutex).
    @usableFromInline let lock = TicketLock()
    @usableFromInline var value: Value

    /// A lock guarding `value`.
    public init(_ value: consuming sending Value) { self.value = value }

    /// Runs `body` with exclusive access to the value.
    @inlinable @inline(__always)
    public func withLock<R: ~Copyable & Sendable, E: Error>(_ body: (inout sending Value) throws(E) -> R) throws(E) -> R {
        let wereEnabled = lock.enter()
        defer { lock.leave(wereEnabled) }
        return try access(body)
    }

    /// Runs `body` with exclusive access to the value and with `argument`, which the caller
    /// gives up: how a non-Sendable object (a device driver, say) moves into the value.
    @inlinable
    public func withLock<Argument: ~Copyable, R: ~Copyable & Sendable, E: Error>(
        moving argument: consuming sending Argument,
        _ body: (inout sending Value, consuming sending Argument) throws(E) -> R
    ) throws(E) -> R {
        let wereEnabled = lock.enter()
        defer { lock.leave(wereEnabled) }
        return try access(moving: argument, body)
    }

    /// Runs `body` with exclusive access if the lock is free right now; returns nil without
    /// waiting otherwise (for panic paths that must not deadlock).
    public func withLockIfAvailable<R: Sendable, E: Error>(_ body: (inout sending Value) throws(E) -> R) throws(E) -> R? {
        guard let wereEnabled = lock.enterIfAvailable() else { return nil }
        defer { lock.leave(wereEnabled) }
        return try access(body)
    }

    @inlinable @inline(__always) func access<Argument: ~Copyable, R: ~Copyable & Sendable, E: Error>(
        moving argument: consuming sending Argument,
        _ body: (inout sending Value, consuming sending Argument) throws(E) -> R
    ) throws(E) -> R { try body(&value, argument) }

    /// Replaces the value with `replacement` and returns the old one, which the caller now
    /// owns alone: how a non-Sendable value moves out of the lock.
    public func exchange(with replacement: consuming sending Value) -> sending Value {
        let wereEnabled = lock.enter()
        defer { lock.leave(wereEnabled) }
        var incoming = replacement
        swap(&value, &incoming)
        return incoming
    }

    @inlinable @inline(__always) func access<R: ~Copyable & Sendable, E: Error>(_ body: (inout sending Value) throws(E) -> R) throws(E) -> R { try body(&value) }
}

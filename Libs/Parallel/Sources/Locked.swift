#if hasFeature(Embedded)
import X86
#else
import Synchronization
#endif

/// A value shared between threads, reached only under a lock: in an image X86's
/// interrupt-safe spin lock (held for a few instructions here), on the host the standard
/// library's `Mutex`, which sleeps instead of spinning when threads outnumber processors.
final class Locked<Value: Sendable>: Sendable {
    #if hasFeature(Embedded)
    let lock: InterruptSafeLock<Value>
    #else
    let lock: Mutex<Value>
    #endif

    init(_ value: Value) {
        #if hasFeature(Embedded)
        lock = InterruptSafeLock(value)
        #else
        lock = Mutex(value)
        #endif
    }

    /// Runs `body` with exclusive access to the value.
    #if hasFeature(Embedded)
    @inline(__always)
    func withLock<R: Sendable>(_ body: (inout sending Value) -> R) -> R { lock.withLock(body) }
    #else
    @inline(__always)
    func withLock<R>(_ body: (inout sending Value) -> sending R) -> sending R { lock.withLock(body) }
    #endif
}

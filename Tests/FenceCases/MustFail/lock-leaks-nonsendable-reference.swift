// expected-error: type 'Counter' does not conform to the 'Sendable' protocol
// A reference inside a lock must not be handed out while the lock still holds it.
import X86

final class Counter { var value = 0 }

func leak(from lock: InterruptSafeLock<Counter>) -> Counter {
    lock.withLock { $0 }
}

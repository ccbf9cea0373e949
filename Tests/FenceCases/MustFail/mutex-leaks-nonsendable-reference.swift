// expected-error: type 'Counter' does not conform to the 'Sendable' protocol
// The same for Sched's sleeping mutex.
import Sched

final class Counter { var value = 0 }

func leak(from mutex: Mutex<Counter>) -> Counter {
    mutex.withLock { $0 }
}

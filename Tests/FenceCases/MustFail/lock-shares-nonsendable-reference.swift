// expected-error: 'inout sending' parameter '$0' cannot be task-isolated at end of function
// A reference the caller keeps must not become reachable from every processor through a lock.
import X86

final class Counter { var value = 0 }

func share(_ counter: Counter, through lock: InterruptSafeLock<[Counter]>) {
    lock.withLock { $0.append(counter) }
    counter.value += 1
}

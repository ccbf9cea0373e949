import Synchronization

/// A counter shared between threads and read without a lock: jobs waiting in a deque (so
/// empty deques are skipped cheaply) and jobs stolen. Sequentially consistent: parking relies
/// on a push and a parker each seeing the other.
final class SharedCounter: Sendable {
    let atomic = Atomic<Int>(0)

    func add(_ delta: Int) { atomic.add(delta, ordering: .sequentiallyConsistent) }

    var value: Int { atomic.load(ordering: .sequentiallyConsistent) }
}

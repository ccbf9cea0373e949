import Synchronization

/// A counter read without a lock, to skip empty deques cheaply (sequentially consistent:
/// parking relies on a push and a parker each seeing the other).
final class WaitingCount: Sendable {
    let atomic = Atomic<Int>(0)

    func add(_ delta: Int) { atomic.add(delta, ordering: .sequentiallyConsistent) }

    var value: Int { atomic.load(ordering: .sequentiallyConsistent) }
}

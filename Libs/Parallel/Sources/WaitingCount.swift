import Synchronization

/// A counter read without a lock, to skip empty deques cheaply.
final class WaitingCount: Sendable {
    let atomic = Atomic<Int>(0)

    func add(_ delta: Int) { atomic.add(delta, ordering: .relaxed) }

    var value: Int { atomic.load(ordering: .relaxed) }
}

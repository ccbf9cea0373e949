import Synchronization

/// A task handed to the pool: the closure and whether it has finished.
///
/// Guarantees: `run` is called at most once per job by the pool (a job is taken out of a
/// deque exactly once); `isFinished` turns true, with release ordering, only after the closure
/// returned, so a thread that sees it true also sees everything the closure wrote.
final class Job: Sendable {
    let work: @Sendable () -> Void
    let finished = Atomic<Bool>(false)

    init(_ work: @escaping @Sendable () -> Void) { self.work = work }

    func run() {
        work()
        finished.store(true, ordering: .releasing)
    }

    var isFinished: Bool { finished.load(ordering: .acquiring) }
}

/// Where a job leaves its result for the thread that joins it.
final class ResultSlot<T: Sendable>: Sendable {
    let value = Locked<T?>(nil)

    func store(_ result: T) { value.withLock { $0 = result } }

    /// The result; only after the job finished.
    func take() -> T {
        guard let result = value.withLock({ slot -> T? in let taken = slot; slot = nil; return taken }) else {
            fatalError("Parallel: a joined job left no result")
        }
        return result
    }
}

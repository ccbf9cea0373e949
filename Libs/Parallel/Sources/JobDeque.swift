/// One worker's jobs: the owner pushes and pops at the back (newest first, so nested joins
/// unwind like the sequential program), thieves take from the front (the oldest, largest
/// pieces of work).
///
/// Guarantees: every pushed job is removed exactly once, by `popIfNewest`, `popNewest` or
/// `steal`.
final class JobDeque: Sendable {
    let jobs = Locked<[Job]>([])
    /// Jobs waiting (a hint for idle workers, read without the lock).
    let count = SharedCounter()

    func push(_ job: Job) {
        jobs.withLock { $0.append(job) }
        count.add(1)
    }

    /// Removes `job` if it is the newest job; false if it is not (it was stolen, or a job
    /// pushed since is still waiting).
    func popIfNewest(_ job: Job) -> Bool {
        let popped = jobs.withLock { jobs -> Bool in
            guard let last = jobs.last, last === job else { return false }
            jobs.removeLast()
            return true
        }
        if popped { count.add(-1) }
        return popped
    }

    /// The newest job, if any.
    func popNewest() -> Job? {
        guard count.value > 0 else { return nil }
        let job = jobs.withLock { $0.popLast() }
        if job != nil { count.add(-1) }
        return job
    }

    /// The oldest job, if any.
    func steal() -> Job? {
        guard count.value > 0 else { return nil }
        let job = jobs.withLock { jobs -> Job? in jobs.isEmpty ? nil : jobs.removeFirst() }
        if job != nil { count.add(-1) }
        return job
    }
}

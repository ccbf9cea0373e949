import Synchronization

/// The work-stealing pool: a deque per participant, workers that take their own newest job
/// or steal another's oldest, and `join`, which pushes its second closure for others to take
/// and runs the first itself.
///
/// Guarantees: see ``Parallel``. Participant 0 is whichever thread calls in from outside the
/// pool (in an image, threads on processor 0); participants 1..<n are worker threads started
/// on first use, one per further processor.
final class WorkerPool<Platform: WorkerPlatform>: Sendable {
    let configured = Locked<Int?>(nil)
    let started = Locked<[JobDeque]?>(nil)
    /// Where idle workers wait for jobs, and how many are parked or about to be.
    let parking = Platform.makeParking()
    let parked = Atomic<Int>(0)

    init() {}

    /// Participants: workers plus the calling thread.
    var participants: Int { deques.count }

    func setParticipants(_ count: Int) -> Bool {
        guard started.withLock({ $0 == nil }) else { return false }
        configured.withLock { $0 = max(1, count) }
        return true
    }

    /// The deques, starting the workers on first use.
    var deques: [JobDeque] {
        if let deques = started.withLock({ $0 }) { return deques }
        let count = configured.withLock { $0 } ?? max(1, Platform.processorCount)
        let fresh = (0..<count).map { _ in JobDeque() }
        let (deques, first) = started.withLock { slot -> ([JobDeque], Bool) in
            if let existing = slot { return (existing, false) }
            slot = fresh
            return (fresh, true)
        }
        if first {
            for index in 1..<max(count, 1) { Platform.start(worker: index) { [deques] in self.work(index, deques) } }
        }
        return deques
    }

    func join<A: Sendable, B: Sendable>(_ a: () -> A, _ b: @escaping @Sendable () -> B) -> (A, B) {
        let deques = self.deques
        if deques.count == 1 { return (a(), b()) }
        let me = Platform.currentWorker(count: deques.count)
        let slot = ResultSlot<B>()
        let job = Job { slot.store(b()) }
        deques[me].push(job)
        // Sequentially consistent with the parker's announce-then-look: either it sees the
        // job, or this sees it parked and wakes it.
        if parked.load(ordering: .sequentiallyConsistent) > 0 { parking.unpark() }
        let left = a()
        if deques[me].popIfNewest(job) {
            job.run()
        } else {
            // Taken by another worker (or buried under jobs pushed meanwhile): help with any
            // work until it has finished.
            // Helping nests jobs on this stack, so it stops while the stack runs low.
            while !job.isFinished {
                if Platform.roomToHelp, let other = WorkerPool.find(me, deques) { other.run() } else { Platform.relax() }
            }
        }
        return (left, slot.take())
    }

    /// A job for participant `me`: its own newest, else another's oldest.
    static func find(_ me: Int, _ deques: [JobDeque]) -> Job? {
        if let job = deques[me].popNewest() { return job }
        for offset in 1..<deques.count {
            if let job = deques[(me + offset) % deques.count].steal() {
                stealCount.add(1)
                return job
            }
        }
        return nil
    }

    /// A worker's loop: run what can be found; when nothing is, yield a while, then park
    /// until a `join` pushes a job.
    func work(_ index: Int, _ deques: [JobDeque]) {
        var misses = 0
        while true {
            if let job = WorkerPool.find(index, deques) {
                job.run()
                misses = 0
                continue
            }
            misses += 1
            if misses < 64 { Platform.relax(); continue }
            misses = 0
            parked.add(1, ordering: .sequentiallyConsistent)
            if !deques.contains(where: { $0.count.value > 0 }) { parking.park() }
            parked.subtract(1, ordering: .sequentiallyConsistent)
        }
    }
}

/// Jobs stolen so far, by any participant of any pool.
let stealCount = SharedCounter()

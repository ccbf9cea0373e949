/// # Parallel: fork-join data parallelism, the same code in the unikernel and on the host
///
/// A work-stealing pool with one worker per processor and Rayon's primitive, ``Parallel/join(_:_:)``,
/// with ``Parallel/forEach(_:grain:_:)``, ``Parallel/map(_:grain:_:)`` and
/// ``Parallel/reduce(_:grain:identity:_:combine:)`` built on it. In an image the workers are
/// kernel threads (Sched), one pinned to each processor the kernel brought up; on the host
/// they are the host's threads, one per available processor. Application code is the same
/// for both.
///
/// Guarantees: every task runs exactly once; `join` returns only when both of its closures
/// have finished, and a thread waiting in `join` runs other tasks meanwhile, so nested joins
/// never deadlock however many tasks exist and however few workers; results are those of
/// the sequential program (tasks share nothing but what they return).
public enum Parallel {
    /// The pool every call uses, started on first use.
    static let pool = WorkerPool<DefaultPlatform>()

    /// Threads that run tasks: the workers plus the thread that calls `join`.
    public static var workerCount: Int { pool.participants }

    /// Uses `count` participants (at least 1) instead of one per processor. Only before the
    /// first parallel call; returns false (changing nothing) afterwards.
    @discardableResult
    public static func setWorkerCount(_ count: Int) -> Bool { pool.setParticipants(count) }

    /// Runs `a` here and `b` possibly on another processor; returns both results.
    public static func join<A: Sendable, B: Sendable>(_ a: () -> A, _ b: @escaping @Sendable () -> B) -> (A, B) {
        pool.join(a, b)
    }

    /// Calls `body` on consecutive chunks of `range` of at most `grain` elements, in parallel.
    public static func forEach(_ range: Range<Int>, grain: Int, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        _ = reduce(range, grain: grain, identity: 0, { chunk in body(chunk); return 0 }, combine: { _, _ in 0 })
    }

    /// `transform` applied to every element of `array`, in order, computed in parallel on
    /// chunks of at most `grain` elements.
    public static func map<T: Sendable, U: Sendable>(_ array: [T], grain: Int, _ transform: @escaping @Sendable (T) -> U) -> [U] {
        reduce(0..<array.count, grain: grain, identity: [U](), { chunk in chunk.map { transform(array[$0]) } },
               combine: { left, right in left + right })
    }

    /// Splits `range` in halves down to chunks of at most `grain` elements, maps each chunk
    /// with `map` and combines neighbouring results with `combine` (left before right), in
    /// parallel. An empty range gives `identity`.
    public static func reduce<T: Sendable>(_ range: Range<Int>, grain: Int, identity: T,
                                           _ map: @escaping @Sendable (Range<Int>) -> T,
                                           combine: @escaping @Sendable (T, T) -> T) -> T {
        guard !range.isEmpty else { return identity }
        let grain = max(grain, 1)
        if range.count <= grain { return map(range) }
        let middle = range.lowerBound + range.count / 2
        let (left, right) = join({ reduce(range.lowerBound..<middle, grain: grain, identity: identity, map, combine: combine) },
                                 { reduce(middle..<range.upperBound, grain: grain, identity: identity, map, combine: combine) })
        return combine(left, right)
    }

    /// Jobs one participant took from another's deque so far (0 means nothing ran in parallel).
    public static var stolenJobs: Int { stealCount.value }

    /// Nanoseconds from an arbitrary fixed point: the clock applications time themselves with.
    public static var nanoseconds: UInt64 { DefaultPlatform.nanoseconds }
}

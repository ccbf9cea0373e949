import Synchronization
import Testing
@testable import Parallel

/// Counts how many times each task ran.
final class RunCounts: Sendable {
    let counts: Mutex<[Int]>
    init(_ n: Int) { counts = Mutex([Int](repeating: 0, count: n)) }
    func hit(_ index: Int) { counts.withLock { $0[index] += 1 } }
    var all: [Int] { counts.withLock { $0 } }
}

@Suite("Parallel: the work-stealing pool on the host's threads")
struct ParallelTests {
    init() { Parallel.setWorkerCount(4) }

    @Test func thePoolHasWorkers() {
        #expect(Parallel.workerCount >= 2)
    }

    @Test func joinReturnsBothResults() {
        let (a, b) = Parallel.join({ 6 * 7 }, { "forty-two" })
        #expect(a == 42 && b == "forty-two")
    }

    /// Recursive Fibonacci: nested joins far deeper and more numerous than the workers.
    static func fibonacci(_ n: Int) -> Int {
        if n < 2 { return n }
        let (a, b) = Parallel.join({ fibonacci(n - 1) }, { fibonacci(n - 2) })
        return a + b
    }

    @Test func nestedJoinsWithManyMoreTasksThanWorkersDoNotDeadlock() {
        #expect(Self.fibonacci(22) == 17711)
    }

    @Test func everyTaskRunsExactlyOnce() {
        let n = 10_000
        let counts = RunCounts(n)
        Parallel.forEach(0..<n, grain: 7) { chunk in for index in chunk { counts.hit(index) } }
        #expect(counts.all == [Int](repeating: 1, count: n))
    }

    @Test func forEachCoversAnEmptyAndATinyRange() {
        let counts = RunCounts(1)
        Parallel.forEach(0..<0, grain: 4) { _ in counts.hit(0) }
        #expect(counts.all == [0])
        Parallel.forEach(0..<1, grain: 0) { chunk in for _ in chunk { counts.hit(0) } }
        #expect(counts.all == [1])
    }

    @Test func mapKeepsOrderAndEqualsTheSequentialMap() {
        let input = Array(0..<5_000)
        #expect(Parallel.map(input, grain: 33) { $0 * $0 + 1 } == input.map { $0 * $0 + 1 })
    }

    @Test func reduceCombinesLeftBeforeRight() {
        // String concatenation is not commutative: any reordering would show.
        let digits = Parallel.reduce(0..<200, grain: 3, identity: "", { chunk in chunk.map { String($0 % 10) }.joined() },
                                     combine: { $0 + $1 })
        #expect(digits == (0..<200).map { String($0 % 10) }.joined())
        #expect(Parallel.reduce(0..<0, grain: 1, identity: -1, { _ in 5 }, combine: +) == -1)
    }

    @Test func aJobStolenByAnotherWorkerStillDeliversItsResult() {
        // Many joins whose second half is slow: idle workers steal them.
        let results = Parallel.map(Array(0..<64), grain: 1) { index -> Int in
            let (a, b) = Parallel.join({ index }, { () -> Int in
                var sum = 0
                for step in 0..<20_000 { sum &+= step ^ index }
                return sum
            })
            return a &+ b
        }
        let expected = (0..<64).map { index -> Int in
            var sum = 0
            for step in 0..<20_000 { sum &+= step ^ index }
            return index &+ sum
        }
        #expect(results == expected)
    }

    @Test func theWorkerCountIsFixedOnceThePoolRuns() {
        _ = Parallel.join({ 1 }, { 2 })
        #expect(!Parallel.setWorkerCount(1))
    }
}

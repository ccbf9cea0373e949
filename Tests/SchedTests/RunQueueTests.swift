import Testing
import Sched

@Suite("Priority round-robin run queue")
struct RunQueueTests {
    let a = ThreadID(1), b = ThreadID(2), c = ThreadID(3), d = ThreadID(4)

    @Test func equalPrioritiesRunInArrivalOrderAndTakeTurns() {
        var queue = RunQueue()
        queue.enqueue(a, priority: .normal)
        queue.enqueue(b, priority: .normal)
        queue.enqueue(c, priority: .normal)
        var order: [ThreadID] = []
        // Each thread runs, then goes to the back: a fair rotation.
        for _ in 0..<6 {
            let next = queue.next()!
            order.append(next)
            queue.enqueue(next, priority: .normal)
        }
        #expect(order == [a, b, c, a, b, c])
        #expect(queue.count == 3)
    }

    @Test func higherPrioritiesAlwaysRunFirst() {
        var queue = RunQueue()
        queue.enqueue(a, priority: .low)
        queue.enqueue(b, priority: .normal)
        queue.enqueue(c, priority: .high)
        queue.enqueue(d, priority: .normal)
        #expect(queue.highestReadyPriority == .high)
        var order: [ThreadID?] = []
        for _ in 0..<5 { order.append(queue.next()) }
        #expect(order == [c, b, d, a, nil])
        #expect(queue.isEmpty && queue.highestReadyPriority == nil)
    }

    @Test func removingAWaitingThread() {
        var queue = RunQueue()
        queue.enqueue(a, priority: .normal)
        queue.enqueue(b, priority: .normal)
        let first = queue.remove(a), second = queue.remove(a)
        #expect(first && !second)
        let next = queue.next()
        #expect(next == b)
        #expect(queue.isEmpty)
    }

    /// What an idle processor takes from a busy one: the longest-waiting thread of the highest
    /// priority that may move, left queued until it is removed.
    @Test func firstFindsTheLongestWaitingAcceptedThreadOfTheHighestPriority() {
        var queue = RunQueue()
        for (thread, priority) in [(a, Priority.normal), (b, .high), (c, .normal), (d, .high)] { queue.enqueue(thread, priority: priority) }
        #expect(queue.first { _ in true } == b)
        #expect(queue.first { $0 != b } == d)                 // still the highest priority first
        #expect(queue.first { $0 == a || $0 == c } == a)      // then arrival order within one
        #expect(queue.first { _ in false } == nil)
        #expect(queue.count == 4)                              // nothing was taken
        #expect(queue.remove(a) && queue.first { $0 == a || $0 == c } == c)
        _ = queue.next(); _ = queue.next(); _ = queue.next()   // b, d, c: the ring wraps around
        queue.enqueue(a, priority: .normal)
        #expect(queue.first { _ in true } == a && queue.count == 1)
    }

    @Test func longRunsStayFairAndBounded() {
        var queue = RunQueue()
        let threads = (0..<100).map { ThreadID($0) }
        for thread in threads { queue.enqueue(thread, priority: .normal) }
        var runs = [Int](repeating: 0, count: 100)
        for _ in 0..<10_000 {
            let next = queue.next()!
            runs[next.rawValue] += 1
            queue.enqueue(next, priority: .normal)
        }
        #expect(runs.allSatisfy { $0 == 100 }, "every thread ran equally often")
        #expect(queue.count == 100)
    }
}

@Suite("Sleep queue")
struct SleepQueueTests {
    @Test func wakesExactlyTheExpiredInDeadlineOrder() {
        var queue = SleepQueue()
        queue.add(ThreadID(1), deadline: 300)
        queue.add(ThreadID(2), deadline: 100)
        queue.add(ThreadID(3), deadline: 200)
        queue.add(ThreadID(4), deadline: 100)
        #expect(queue.nextDeadline == 100)
        let early = queue.wakeExpired(now: 99)
        #expect(early.isEmpty)
        let due = queue.wakeExpired(now: 200)
        #expect(due == [ThreadID(2), ThreadID(4), ThreadID(3)])
        #expect(queue.count == 1 && queue.nextDeadline == 300)
        let last = queue.wakeExpired(now: .max)
        #expect(last == [ThreadID(1)])
        #expect(queue.isEmpty && queue.nextDeadline == nil)
    }

    @Test func aThreadWokenEarlyLeavesTheQueue() {
        var queue = SleepQueue()
        queue.add(ThreadID(1), deadline: 100)
        queue.add(ThreadID(2), deadline: 50)
        #expect(queue.nextDeadline == 50)
        let removed = queue.remove(ThreadID(2))
        #expect(removed)
        #expect(queue.nextDeadline == 100 && queue.count == 1)
        let again = queue.remove(ThreadID(2))
        #expect(!again)
        #expect(queue.wakeExpired(now: 1000) == [ThreadID(1)])
        #expect(queue.nextDeadline == nil)
    }
}

import Testing
@testable import LinuxABI

/// eventfd, timerfd and epoll as Linux defines them (eventfd(2), timerfd_create(2), epoll(7)).
@Suite("Event descriptors")
struct EventObjectsTests {
    @Test func anEventCounterAddsWritesAndAReadTakesTheCount() throws {
        let counter = EventCounter(value: 3, semaphore: false)
        try counter.add(4)
        #expect(try counter.take() == 7)
        #expect(throws: LinuxError.tryAgain) { try counter.take() }
        #expect(throws: LinuxError.invalidArgument) { try counter.add(UInt64.max) }
        try counter.add(UInt64.max - 1)
        #expect(throws: LinuxError.tryAgain) { try counter.add(1) }   // would reach 2^64 - 1
        let semaphore = EventCounter(value: 2, semaphore: true)
        #expect(try semaphore.take() == 1)
        #expect(try semaphore.take() == 1)
        #expect(!semaphore.readable)
    }

    @Test func aTimerCountsExpirationsAndRearmsByItsInterval() throws {
        let timer = IntervalTimer(clock: 1)
        _ = timer.set(deadline: 1_000, interval: 0, now: 0)
        #expect(!timer.readable(now: 999))
        #expect(throws: LinuxError.tryAgain) { try timer.take(now: 999) }
        #expect(try timer.take(now: 5_000) == 1)                      // one-shot: once
        #expect(timer.deadline == 0)
        _ = timer.set(deadline: 1_000, interval: 100, now: 0)
        #expect(try timer.take(now: 1_250) == 3)                      // 1000, 1100, 1200
        #expect(timer.deadline == 1_300)
        let old = timer.set(deadline: 0, interval: 0, now: 1_280)      // disarm: 20 left of 100
        #expect(old.left == 20 && old.interval == 100)
        #expect(!timer.readable(now: 10_000))
    }

    @Test func epollReportsReadinessLevelEdgeAndOneShot() throws {
        let poll = EventPoll()
        try poll.control(1, descriptor: 4, events: EventPoll.input, data: 40)
        try poll.control(1, descriptor: 5, events: EventPoll.input | EventPoll.edgeTriggered, data: 50)
        try poll.control(1, descriptor: 6, events: EventPoll.input | EventPoll.oneShot, data: 60)
        #expect(throws: LinuxError.exists) { try poll.control(1, descriptor: 4, events: 0, data: 0) }
        #expect(throws: LinuxError.noEntry) { try poll.control(2, descriptor: 9, events: 0, data: 0) }
        var ready: Set<Int32> = [4, 5, 6]
        func readiness(_ descriptor: Int32) -> UInt32? { ready.contains(descriptor) ? EventPoll.input : 0 }
        #expect(poll.collect(maximum: 10, readiness: readiness).map(\.data) == [40, 50, 60])
        // Level stays, edge waits for a change, one-shot is disarmed until MOD.
        #expect(poll.collect(maximum: 10, readiness: readiness).map(\.data) == [40])
        ready = []
        #expect(poll.collect(maximum: 10, readiness: readiness).isEmpty)
        ready = [4, 5, 6]
        #expect(poll.collect(maximum: 10, readiness: readiness).map(\.data) == [40, 50])
        try poll.control(3, descriptor: 6, events: EventPoll.input | EventPoll.oneShot, data: 61)
        #expect(poll.collect(maximum: 1, readiness: readiness).map(\.data) == [40])   // at most `maximum`
        #expect(poll.collect(maximum: 10, readiness: readiness).map(\.data) == [40, 61])
        // A descriptor asked for input only still reports an error; a closed one is dropped.
        #expect(poll.collect(maximum: 10) { $0 == 4 ? EventPoll.error : nil }.map(\.events) == [EventPoll.error])
        #expect(Array(poll.interests.keys) == [4])
    }

    /// What a waiter on the set is woken for: exactly what a collect would report now, and
    /// asking consumes no edge or one-shot report.
    @Test func hasReadyAnswersWhatCollectWouldReportAndConsumesNothing() throws {
        let poll = EventPoll()
        try poll.control(1, descriptor: 4, events: EventPoll.input | EventPoll.edgeTriggered, data: 40)
        try poll.control(1, descriptor: 5, events: EventPoll.input | EventPoll.oneShot, data: 50)
        var ready: Set<Int32> = []
        var arrivals: UInt64 = 0
        func readiness(_ descriptor: Int32) -> UInt32? { ready.contains(descriptor) ? EventPoll.input : 0 }
        func activity(_ descriptor: Int32) -> UInt64 { descriptor == 4 ? arrivals : 0 }
        #expect(!poll.hasReady(readiness: readiness, activity: activity))
        ready = [4]
        arrivals = 1
        #expect(poll.hasReady(readiness: readiness, activity: activity))
        #expect(poll.hasReady(readiness: readiness, activity: activity))   // asking twice: still there
        #expect(poll.collect(maximum: 10, readiness: readiness, activity: activity).map(\.data) == [40])
        #expect(!poll.hasReady(readiness: readiness, activity: activity))   // the edge was reported
        arrivals = 2                                                         // more bytes: a new edge
        #expect(poll.hasReady(readiness: readiness, activity: activity))
        _ = poll.collect(maximum: 10, readiness: readiness, activity: activity)
        ready = [5]
        #expect(poll.hasReady(readiness: readiness, activity: activity))
        #expect(poll.collect(maximum: 10, readiness: readiness, activity: activity).map(\.data) == [50])
        #expect(!poll.hasReady(readiness: readiness, activity: activity))   // one-shot: disarmed
        #expect(!poll.hasReady { _ in nil })                                 // closed descriptors report nothing
    }
}

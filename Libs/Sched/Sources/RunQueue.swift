/// The threads ready to run on one processor: one FIFO per priority; the highest non-empty
/// priority runs first and its threads take turns (round robin).
///
/// Guarantees: a thread is in the queue at most once; ``next()`` returns the longest-waiting
/// thread of the highest priority; a thread put back with ``enqueue(_:priority:)`` after
/// running goes behind every thread of its priority that was already waiting. Finding the
/// highest ready priority is one bit scan.
public struct RunQueue: Sendable {
    /// One ring buffer per priority.
    var rings: [Ring] = Array(repeating: Ring(), count: Priority.levels)
    /// Bit p set: priority p has a ready thread.
    var nonEmpty: UInt32 = 0
    public private(set) var count = 0

    /// A growable ring buffer of thread IDs.
    struct Ring: Sendable {
        var slots: [ThreadID] = []
        var head = 0
        var count = 0

        mutating func push(_ thread: ThreadID) {
            if count == slots.count { grow() }
            slots[(head + count) & (slots.count - 1)] = thread
            count += 1
        }

        mutating func pop() -> ThreadID {
            let thread = slots[head]
            head = (head + 1) & (slots.count - 1)
            count -= 1
            return thread
        }

        mutating func grow() {
            let capacity = max(8, slots.count * 2)
            var bigger = [ThreadID](repeating: ThreadID(0), count: capacity)
            for index in 0..<count { bigger[index] = slots[(head + index) & (slots.count - 1)] }
            slots = bigger
            head = 0
        }

        mutating func remove(_ thread: ThreadID) -> Bool {
            for index in 0..<count where slots[(head + index) & (slots.count - 1)] == thread {
                // Shift the later entries forward by one.
                for later in index..<(count - 1) {
                    slots[(head + later) & (slots.count - 1)] = slots[(head + later + 1) & (slots.count - 1)]
                }
                count -= 1
                return true
            }
            return false
        }
    }

    public init() {}

    /// Whether no thread is ready.
    @inline(__always) public var isEmpty: Bool { count == 0 }

    /// Adds `thread` at the back of its priority's queue.
    public mutating func enqueue(_ thread: ThreadID, priority: Priority) {
        rings[priority.level].push(thread)
        nonEmpty |= 1 << UInt32(priority.level)
        count += 1
    }

    /// Removes and returns the next thread to run, or nil when none is ready.
    public mutating func next() -> ThreadID? {
        guard nonEmpty != 0 else { return nil }
        let level = 31 - nonEmpty.leadingZeroBitCount
        let thread = rings[level].pop()
        if rings[level].count == 0 { nonEmpty &= ~(1 << UInt32(level)) }
        count -= 1
        return thread
    }

    /// The highest priority with a ready thread, or nil.
    @inline(__always) public var highestReadyPriority: Priority? {
        nonEmpty == 0 ? nil : Priority(31 - nonEmpty.leadingZeroBitCount)
    }

    /// The longest-waiting thread of the highest priority among those `accepted` takes, left
    /// in the queue; nil when there is none.
    public func first(where accepted: (ThreadID) -> Bool) -> ThreadID? {
        var levels = nonEmpty
        while levels != 0 {
            let level = 31 - levels.leadingZeroBitCount
            levels &= ~(1 << UInt32(level))
            let ring = rings[level]
            for index in 0..<ring.count {
                let thread = ring.slots[(ring.head + index) & (ring.slots.count - 1)]
                if accepted(thread) { return thread }
            }
        }
        return nil
    }

    /// Removes `thread` wherever it waits; returns whether it was there.
    public mutating func remove(_ thread: ThreadID) -> Bool {
        for level in 0..<Priority.levels where rings[level].remove(thread) {
            if rings[level].count == 0 { nonEmpty &= ~(1 << UInt32(level)) }
            count -= 1
            return true
        }
        return false
    }
}

/// The threads ready to run on one processor: one FIFO per priority; the highest non-empty
/// priority runs first and its threads take turns (round robin).
///
/// Guarantees: a thread is in the queue at most once; ``next()`` returns the longest-waiting
/// thread of the highest priority; a thread put back with ``enqueue(_:priority:)`` after
/// running goes behind every thread of its priority that was already waiting.
public struct RunQueue: Sendable {
    var queues: [[ThreadID]] = Array(repeating: [], count: Priority.levels)
    var heads: [Int] = Array(repeating: 0, count: Priority.levels)
    public private(set) var count = 0

    public init() {}

    /// Whether no thread is ready.
    public var isEmpty: Bool { count == 0 }

    /// Adds `thread` at the back of its priority's queue.
    public mutating func enqueue(_ thread: ThreadID, priority: Priority) {
        queues[priority.level].append(thread)
        count += 1
    }

    /// Removes and returns the next thread to run, or nil when none is ready.
    public mutating func next() -> ThreadID? {
        var level = Priority.levels - 1
        while level >= 0 {
            if heads[level] < queues[level].count {
                let thread = queues[level][heads[level]]
                heads[level] += 1
                if heads[level] == queues[level].count {
                    queues[level].removeAll(keepingCapacity: true)
                    heads[level] = 0
                } else if heads[level] >= 64 && heads[level] * 2 >= queues[level].count {
                    queues[level].removeFirst(heads[level])
                    heads[level] = 0
                }
                count -= 1
                return thread
            }
            level -= 1
        }
        return nil
    }

    /// The highest priority with a ready thread, or nil.
    public var highestReadyPriority: Priority? {
        var level = Priority.levels - 1
        while level >= 0 {
            if heads[level] < queues[level].count { return Priority(level) }
            level -= 1
        }
        return nil
    }

    /// Removes `thread` wherever it waits; returns whether it was there.
    public mutating func remove(_ thread: ThreadID) -> Bool {
        for level in 0..<Priority.levels {
            if let index = queues[level][heads[level]...].firstIndex(of: thread) {
                queues[level].remove(at: index)
                count -= 1
                return true
            }
        }
        return false
    }
}

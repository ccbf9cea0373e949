import X86

/// Threads waiting for something, woken in the order they started waiting.
struct WaitQueue: Sendable {
    var waiters: [ThreadID] = []
    mutating func add(_ thread: ThreadID) { waiters.append(thread) }
    mutating func takeFirst() -> ThreadID? { waiters.isEmpty ? nil : waiters.removeFirst() }
    mutating func takeAll() -> [ThreadID] { defer { waiters = [] }; return waiters }
}

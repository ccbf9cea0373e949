/// The connections' next deadlines, soonest first: a binary min-heap, so the stack finds
/// the timers that ran out without looking at every connection.
///
/// Guarantees: `first` is an entry with the smallest deadline; `push` and `removeFirst` cost
/// O(log n). Entries are not updated in place: a connection whose deadline moved leaves a
/// stale entry behind, which the stack recognises (it no longer matches the connection's
/// `queuedDeadline`) and skips.
struct DeadlineHeap {
    private(set) var entries: [(deadline: UInt64, connection: Connection)] = []

    var first: (deadline: UInt64, connection: Connection)? { entries.first }
    var count: Int { entries.count }

    mutating func push(_ entry: (deadline: UInt64, connection: Connection)) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes the soonest entry (the heap must not be empty).
    mutating func removeFirst() -> (deadline: UInt64, connection: Connection) {
        let top = entries[0]
        let last = entries.removeLast()
        guard !entries.isEmpty else { return top }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != parent else { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}

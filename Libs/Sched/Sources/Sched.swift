/// # Sched: threads, scheduling, sleeping and blocking synchronisation
///
/// What is in here: kernel threads with their own demand-paged, guard-paged stacks; the
/// ``Scheduler`` protocol's policy parts — ``RunQueue`` (priority round-robin) and
/// ``SleepQueue`` (wake-up order) — which are plain values tested on the host; the running
/// scheduler behind ``Threads`` (`spawn`, `yield`, `sleep`, `join`, `exit`); and the blocking
/// primitives ``Mutex``, ``Semaphore`` and ``Event``.
///
/// What is not in here: the context switch itself (X86's ``ExecutionContext``), timers and
/// processors (APIC), and any `unsafe`.
public enum Sched {}

/// A thread's identity: unique for the kernel's life, never reused.
public struct ThreadID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (a: ThreadID, b: ThreadID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "thread \(rawValue)" }
}

/// A scheduling priority: higher runs first; equal priorities take turns.
public struct Priority: Hashable, Sendable, Comparable {
    public let level: Int
    /// Levels 0 (lowest) ... 7 (highest).
    public static let levels = 8
    public init(_ level: Int) {
        precondition(level >= 0 && level < Priority.levels, "priority out of range 0...7")
        self.level = level
    }
    public static let low = Priority(1)
    public static let normal = Priority(4)
    public static let high = Priority(6)
    public static func < (a: Priority, b: Priority) -> Bool { a.level < b.level }
}

import X86

/// The application-facing thread API: plain function calls into the scheduler.
public enum Threads {
    /// Starts a thread running `body` at `priority` on processor `core` (the caller's when
    /// nil); its result is what ``ThreadHandle/join()`` returns. Returns nil when no memory for
    /// its stack is left or that processor is not running. A `movable` thread starts there but
    /// may be moved to an idle processor whenever it is ready to run (a program's threads);
    /// any other stays on `core` for good.
    public static func spawn(priority: Priority = .normal, core: Int? = nil, movable: Bool = false,
                             _ body: @escaping @Sendable () -> Int) -> ThreadHandle? {
        CoreScheduler.spawn(priority: priority, core: core, movable: movable, body: body).map(ThreadHandle.init)
    }

    /// The processor the calling thread runs on (0 is the boot processor).
    public static var currentCore: Int { CoreScheduler.currentCore }

    /// The running thread's execution context.
    public static var currentContext: ExecutionContext { CoreScheduler.currentContext }

    /// Processors threads can be placed on.
    public static var coreCount: Int { CoreScheduler.coreCount }

    /// Lets other ready threads run; returns at once when there are none.
    public static func yield() { CoreScheduler.yield() }

    /// Sleeps for at least `nanoseconds`.
    public static func sleep(nanoseconds: UInt64) {
        CoreScheduler.sleep(until: TimeSource.now &+ TimeSource.ticks(nanoseconds: nanoseconds))
    }

    /// Sleeps for at least `milliseconds`.
    public static func sleep(milliseconds: UInt64) { sleep(nanoseconds: milliseconds * 1_000_000) }

    /// Sleeps for at most `nanoseconds`, or until another thread or an interrupt handler calls
    /// ``wake(_:)`` for this thread.
    public static func waitForWake(nanoseconds: UInt64) {
        CoreScheduler.waitForWake(until: TimeSource.now &+ TimeSource.ticks(nanoseconds: nanoseconds))
    }

    /// Wakes `thread` if it waits in ``waitForWake(nanoseconds:)`` or is blocked (safe from
    /// interrupt handlers); a thread not yet waiting returns at once from its next wait.
    public static func wake(_ thread: ThreadID) { CoreScheduler.wake(thread) }

    /// Ends the running thread with `value`.
    public static func exit(_ value: Int) -> Never { CoreScheduler.finish(value) }

    /// The running thread.
    public static var current: ThreadID { CoreScheduler.current }

    /// Bytes left on the running thread's stack below the stack pointer (before its guard
    /// page), for code that recurses by choice, such as a fork-join pool helping while it
    /// waits. Int.max on the host.
    public static var stackRemaining: Int { CoreScheduler.stackRemaining }
}

/// A started thread, to wait for.
public struct ThreadHandle: Sendable {
    /// The thread.
    public let id: ThreadID

    /// Waits until the thread has finished and returns its value. A thread can be joined
    /// once; joining it again returns nil.
    public func join() -> Int? {
        while true {
            switch CoreScheduler.collect(id) {
            case .finished(let value): return value
            case .waiting: CoreScheduler.block()
            case .retry: CoreScheduler.yield(); Processor.pause()
            }
        }
    }
}

import X86

/// What a thread is doing.
enum ThreadState: Sendable, Equatable {
    case ready, running, blocked, sleeping, finished
}

/// One kernel thread: its context, priority, state and result.
final class KernelThread {
    let id: ThreadID
    let priority: Priority
    var state: ThreadState
    let context: ExecutionContext
    var body: (@Sendable () -> Int)?
    var exitValue = 0
    /// Threads waiting in ``ThreadHandle/join()`` for this one.
    var joiners: [ThreadID] = []
    /// A wake-up that arrived while the thread was still running; its next block returns at once.
    var pendingWake = false
    /// Sleeping in ``CoreScheduler/waitForWake(until:)``: a wake-up ends the sleep early.
    var wakeableSleep = false
    /// Whether it is a processor's idle thread (never queued, never finishes).
    let isIdle: Bool
    /// The processor it runs on (or is queued or sleeping on).
    var core: Int
    /// Whether the scheduler may move it to another processor (see ``CoreScheduler``).
    let movable: Bool

    /// Whether it may go to another processor now: it is movable and its context is
    /// suspended (no processor is still leaving it).
    var canMove: Bool { movable && !context.isRunning }

    init(id: ThreadID, priority: Priority, state: ThreadState, context: ExecutionContext,
         body: (@Sendable () -> Int)?, core: Int, isIdle: Bool = false, movable: Bool = false) {
        self.core = core
        self.movable = movable && !isIdle
        self.id = id
        self.priority = priority
        self.state = state
        self.context = context
        self.body = body
        self.isIdle = isIdle
    }
}

/// A thread's identity packs its slot in the thread table (low 20 bits) and the slot's
/// generation, so identities are never reused while slots are.
extension ThreadID {
    init(slot: Int, generation: Int) { self.init(generation << 20 | slot) }
    var slot: Int { rawValue & 0xF_FFFF }
}

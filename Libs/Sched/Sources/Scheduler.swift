import Paging
import X86

/// What a scheduler offers the rest of the kernel.
///
/// Contract: `yield()` returns at once when no other thread is ready; a blocked thread runs
/// again only after `wake(_:)`; a sleeping thread is not run before its deadline.
public protocol Scheduler {
    /// The running thread.
    static var current: ThreadID { get }
    /// Lets other ready threads of the same or higher priority run.
    static func yield()
    /// Blocks the running thread until `wake(_:)` names it.
    static func block()
    /// Makes a blocked thread ready.
    static func wake(_ thread: ThreadID)
}

/// The processor's scheduler: priority round-robin over one run queue, a sleep queue, and an
/// idle thread that runs when nothing else can.
///
/// Guarantees: all scheduler state is changed under one interrupt-safe lock, and contexts are
/// switched with interrupts disabled after the lock is released; a thread's stack goes back to
/// the pool only after the processor has left it.
public enum CoreScheduler: Scheduler {
    struct State {
        var threads: [KernelThread?] = []
        var generations: [Int] = []
        var freeSlots: [Int] = []
        var runQueue = RunQueue()
        var sleepQueue = SleepQueue()
        var current = 0
        var idle = 0
        /// A finished thread whose stack the processor was still on when it switched away.
        var leaving: Int? = nil
        var stackPool: [MemoryRegion] = []
        /// Guarded stack slots reserved once in the lazy area, handed out in order.
        var stackArena: MemoryRegion? = nil
        var stacksCarved = 0
        var started = false
        /// The timer that wakes the processor for the next event, if a timer module is linked.
        var timer: (any WakeupTimer)? = nil
        var armedDeadline: UInt64 = 0
        /// When the running thread's time slice ends.
        var sliceEnd: UInt64 = 0
        var timeSlice: UInt64 = 0
        var switches = 0
        var liveThreads = 0
    }

    static let state = InterruptSafeLock(State())

    /// Bytes of stack per thread (demand-paged: only touched pages use frames), not counting
    /// the guard page below it.
    public static let stackSize = 64 * 1024
    /// The most threads that can exist at once.
    public static let maximumThreads = 65536

    public static var current: ThreadID {
        state.withLock { $0.threads[$0.current]!.id }
    }

    /// Whether a timer module drives sleeping and preemption.
    public static var hasTimer: Bool { state.withLock { $0.timer != nil } }

    /// Context switches so far.
    public static var switchCount: Int { state.withLock { $0.switches } }

    /// Threads that have been spawned and not yet joined (including the boot thread).
    public static var liveThreadCount: Int { state.withLock { $0.liveThreads } }

    // MARK: Start-up

    /// Turns the running boot code into the first thread and creates the idle thread.
    static func start(bootStack: MemoryRegion) {
        ExecutionContext.setEntry { argument in threadMain(slot: Int(argument)) }
        let boot = KernelThread(id: ThreadID(slot: 0, generation: 1), priority: .normal, state: .running,
                                context: ExecutionContext(running: bootStack), body: nil)
        state.withLock { s in
            s.threads = [boot]
            s.generations = [1]
            s.current = 0
            s.liveThreads = 1
        }
        guard let idle = makeThread(priority: Priority(0), body: nil, isIdle: true) else {
            Panic.halt("Sched: no memory for the idle thread's stack")
        }
        state.withLock { s in
            s.idle = idle.slot
            s.started = true
        }
    }

    /// Lets `timer` wake the processor for sleepers and preempt threads whose time slice is up.
    public static func installTimer(_ timer: any WakeupTimer, timeSliceNanoseconds: UInt64 = 10_000_000) {
        let slice = TimeSource.ticks(nanoseconds: timeSliceNanoseconds)
        state.withLock { s in
            s.timer = timer
            s.timeSlice = slice
            s.sliceEnd = TimeSource.now &+ slice
            rearm(&s)
        }
    }

    /// Programs the timer for the next event: the earliest sleeper, and — only when another
    /// thread of at least the running thread's priority is ready — the end of its time slice.
    /// With one thread ready per processor nothing interrupts it (tickless).
    static func rearm(_ s: inout State) {
        guard let timer = s.timer else { return }
        var deadline = s.sleepQueue.nextDeadline ?? 0
        let current = s.threads[s.current]!
        if !current.isIdle, let top = s.runQueue.highestReadyPriority, top >= current.priority {
            deadline = deadline == 0 ? s.sliceEnd : min(deadline, s.sliceEnd)
        }
        // An earlier deadline already armed can stay: the interrupt re-evaluates and re-arms.
        // This keeps the timer untouched on most switches.
        if deadline != 0 && (s.armedDeadline == 0 || deadline < s.armedDeadline) {
            s.armedDeadline = deadline
            timer.arm(deadline: deadline)
        }
    }

    /// Called by the timer's interrupt handler (interrupts disabled): wakes due sleepers and
    /// preempts the running thread if a higher-priority thread is ready or its slice is up.
    public static func timerInterrupt() {
        let preempt = state.withLock { s -> Bool in
            s.armedDeadline = 0
            wakeSleepers(&s)
            let current = s.threads[s.current]!
            var switchNow = false
            if let top = s.runQueue.highestReadyPriority {
                switchNow = current.isIdle || top > current.priority
                    || (top == current.priority && TimeSource.now >= s.sliceEnd)
            }
            if !switchNow { rearm(&s) }
            return switchNow
        }
        if preempt { switchAway(to: .ready) }
    }

    // MARK: Creating threads

    /// A new ready thread running `body`, or nil when no stack can be had.
    static func spawn(priority: Priority, body: @escaping @Sendable () -> Int) -> ThreadID? {
        guard let id = makeThread(priority: priority, body: body, isIdle: false) else { return nil }
        state.withLock { s in
            s.runQueue.enqueue(id, priority: priority)
            s.liveThreads += 1
        }
        return id
    }

    static func makeThread(priority: Priority, body: (@Sendable () -> Int)?, isIdle: Bool) -> ThreadID? {
        let stack = state.withLock { s -> MemoryRegion? in
            if let pooled = s.stackPool.popLast() { return pooled }
            if s.stackArena == nil {
                s.stackArena = DemandPager.reserveGuarded(count: maximumThreads, slotBytes: stackSize + 4096)
            }
            guard let arena = s.stackArena, s.stacksCarved < maximumThreads else { return nil }
            let slot = s.stacksCarved * (stackSize + 4096)
            s.stacksCarved += 1
            return arena.subregion(offset: slot + 4096, size: stackSize)
        }
        guard let stack else { return nil }
        return state.withLock { s -> ThreadID in
            let slot: Int
            if let free = s.freeSlots.popLast() {
                slot = free
                s.generations[slot] += 1
            } else {
                slot = s.threads.count
                s.threads.append(nil)
                s.generations.append(1)
            }
            let id = ThreadID(slot: slot, generation: s.generations[slot])
            let context = ExecutionContext(stack: stack, argument: UInt64(slot))
            s.threads[slot] = KernelThread(id: id, priority: priority, state: isIdle ? .running : .ready,
                                           context: context, body: body, isIdle: isIdle)
            if isIdle { s.threads[slot]!.state = .ready }
            return id
        }
    }

    /// Where every new thread begins (on its own stack, interrupts disabled).
    static func threadMain(slot: Int) -> Never {
        afterSwitch()
        Processor.enableInterrupts()
        if state.withLock({ $0.threads[slot]!.isIdle }) { idleLoop() }
        Threads.exit(runBody(slot: slot))
    }

    /// Runs the thread's body; every reference it took is released when this returns, before
    /// the thread exits on a stack that is never unwound.
    @inline(never)
    static func runBody(slot: Int) -> Int {
        let body = state.withLock { s -> (@Sendable () -> Int)? in
            defer { s.threads[slot]!.body = nil }
            return s.threads[slot]!.body
        }
        return body?() ?? 0
    }

    // MARK: Switching

    /// Switches to the next thread, leaving the current one in `newState`. With `.ready` the
    /// current thread is queued again (unless it is the idle thread). Returns when the
    /// current thread runs again (never for `.finished`).
    static func switchAway(to newState: ThreadState) {
        let wereEnabled = Processor.interruptsEnabled
        Processor.disableInterrupts()
        let contexts = state.withLock { s -> (ExecutionContext, ExecutionContext)? in
            wakeSleepers(&s)
            let current = s.threads[s.current]!
            if newState == .blocked && current.pendingWake { current.pendingWake = false; return nil }
            if newState == .ready, s.runQueue.isEmpty { return nil }   // nobody else to run
            current.state = newState
            if newState == .ready && !current.isIdle { s.runQueue.enqueue(current.id, priority: current.priority) }
            let nextSlot = s.runQueue.next()?.slot ?? s.idle
            guard nextSlot != s.current else { current.state = .running; return nil }
            let next = s.threads[nextSlot]!
            next.state = .running
            s.current = nextSlot
            s.switches += 1
            s.sliceEnd = TimeSource.now &+ s.timeSlice
            rearm(&s)
            return (current.context, next.context)
        }
        if let (from, to) = contexts {
            from.switchTo(to)
            afterSwitch()
        }
        if wereEnabled { Processor.enableInterrupts() }
    }

    /// Runs on the thread just switched to: returns the stack of a thread that finished.
    static func afterSwitch() {
        state.withLock { s in
            guard let slot = s.leaving else { return }
            s.leaving = nil
            if let thread = s.threads[slot] {
                thread.context.retire()
                s.stackPool.append(thread.context.stack)
            }
        }
    }

    /// Moves sleepers whose time has come to the run queue.
    static func wakeSleepers(_ s: inout State) {
        guard let deadline = s.sleepQueue.nextDeadline, deadline <= TimeSource.now else { return }
        for id in s.sleepQueue.wakeExpired(now: TimeSource.now) {
            if let thread = s.threads[id.slot], thread.id == id, thread.state == .sleeping {
                thread.state = .ready
                s.runQueue.enqueue(id, priority: thread.priority)
            }
        }
    }

    /// The idle thread: runs whatever became ready; otherwise halts until the timer (armed
    /// for the next sleeper) or another interrupt wakes the processor, or spins when no timer
    /// module is linked.
    static func idleLoop() -> Never {
        while true {
            Processor.disableInterrupts()
            let (work, canHalt) = state.withLock { s -> (Bool, Bool) in
                wakeSleepers(&s)
                if !s.runQueue.isEmpty { return (true, false) }
                rearm(&s)
                return (false, s.timer != nil)
            }
            if work {
                switchAway(to: .ready)
            } else if canHalt {
                Processor.enableInterruptsAndHalt()
            } else {
                Processor.enableInterrupts()
                Processor.pause()
            }
        }
    }

    // MARK: Scheduler

    public static func yield() {
        // The fast path: nothing else ready and no sleeper due.
        let busy = state.withLock { s -> Bool in
            if !s.runQueue.isEmpty { return true }
            if let deadline = s.sleepQueue.nextDeadline, deadline <= TimeSource.now { return true }
            return false
        }
        if busy { switchAway(to: .ready) }
    }

    public static func block() {
        let woken = state.withLock { s -> Bool in
            let current = s.threads[s.current]!
            defer { current.pendingWake = false }
            return current.pendingWake
        }
        if !woken { switchAway(to: .blocked) }
    }

    public static func wake(_ thread: ThreadID) {
        state.withLock { s in wake(thread, in: &s) }
    }

    /// Makes `thread` ready if it is blocked, or remembers the wake-up if it has not blocked yet.
    static func wake(_ thread: ThreadID, in s: inout State) {
        guard let target = s.threads[thread.slot], target.id == thread else { return }
        switch target.state {
        case .blocked:
            target.state = .ready
            s.runQueue.enqueue(thread, priority: target.priority)
        case .running, .ready:
            target.pendingWake = true
        case .sleeping, .finished:
            break
        }
    }

    /// Puts the running thread to sleep until the TSC reaches `deadline`.
    static func sleep(until deadline: UInt64) {
        let wereEnabled = Processor.interruptsEnabled
        Processor.disableInterrupts()
        state.withLock { s in s.sleepQueue.add(s.threads[s.current]!.id, deadline: deadline) }
        switchAway(to: .sleeping)
        if wereEnabled { Processor.enableInterrupts() }
    }

    /// Ends the running thread with `value`; wakes its joiners.
    static func finish(_ value: Int) -> Never {
        state.withLock { s in
            let current = s.threads[s.current]!
            current.exitValue = value
            current.body = nil
            for joiner in current.joiners { wake(joiner, in: &s) }
            current.joiners = []
        }
        Processor.disableInterrupts()
        ExecutionContext.abandonRunning {
            state.withLock { s -> (current: ExecutionContext, next: ExecutionContext) in
                wakeSleepers(&s)
                let current = s.threads[s.current]!
                current.state = .finished
                s.leaving = s.current
                let nextSlot = s.runQueue.next()?.slot ?? s.idle
                let next = s.threads[nextSlot]!
                next.state = .running
                s.current = nextSlot
                s.switches += 1
                s.sliceEnd = TimeSource.now &+ s.timeSlice
                rearm(&s)
                return (current.context, next.context)
            }
        }
    }

    /// The exit value of `thread` once it has finished (freeing its slot), or nil after
    /// registering the caller to be woken when it does.
    static func collect(_ thread: ThreadID) -> Int?? {
        state.withLock { s -> Int?? in
            guard let target = s.threads[thread.slot], target.id == thread else { return .some(nil) }  // already joined
            if target.state == .finished {
                s.threads[thread.slot] = nil
                s.freeSlots.append(thread.slot)
                s.liveThreads -= 1
                return .some(target.exitValue)
            }
            target.joiners.append(s.threads[s.current]!.id)
            return nil
        }
    }
}

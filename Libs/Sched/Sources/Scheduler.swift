import Boot
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

/// The kernel's scheduler: per processor, priority round-robin over a run queue, a sleep
/// queue, and an idle thread that runs when nothing else can. Threads stay on the processor
/// they were spawned on, except movable ones (a program's): one made ready while its
/// processor runs another thread goes to a halted processor if there is one, and a processor
/// that runs out of work takes a movable thread waiting behind a busy processor's running one
/// (Linux's wake-up to an idle CPU and its idle balancing, in their simplest form).
///
/// Guarantees: all scheduler state is changed under one interrupt-safe lock, and contexts are
/// switched with interrupts disabled after the lock is released; a thread is moved only while
/// its context is suspended (its old processor has handed it over: X86's switch then waits
/// for the saving to finish), so no processor resumes a thread another is still leaving; a
/// thread's stack goes back to the pool only after its processor has left it; a thread made
/// ready on another processor is announced to it with an IPI.
public enum CoreScheduler: Scheduler {
    /// What one processor is doing.
    struct Core {
        var runQueue = RunQueue()
        var sleepQueue = SleepQueue()
        var current = 0
        var idle = 0
        /// A finished thread whose stack the processor was still on when it switched away.
        var leaving: Int? = nil
        var armedDeadline: UInt64 = 0
        /// When the running thread's time slice ends.
        var sliceEnd: UInt64 = 0
        var online = false
        var halted = false
    }

    struct State {
        var threads: [KernelThread?] = []
        var generations: [Int] = []
        var freeSlots: [Int] = []
        var cores: [Core] = [Core()]
        /// Where stacks come from and go back to (Boot's pool).
        var stacks: ThreadStacks? = nil
        /// The timer that wakes a processor for its next event, if a timer module is linked
        /// (it programs the calling processor's timer).
        var timer: (any WakeupTimer)? = nil
        /// Sends a wake-up interrupt to a processor, if an interrupt controller is linked.
        var kick: (@Sendable (Int) -> Void)? = nil
        var timeSlice: UInt64 = 0
        var switches = 0
        /// Movable threads moved to another processor so far.
        var moves = 0
        var liveThreads = 0
    }

    static let state = InterruptSafeLock(State())

    /// Bytes of stack per thread (demand-paged: only touched pages use frames), not counting
    /// the guard page below it.
    public static let stackSize = 64 * 1024
    /// The most threads that can exist at once.
    public static let maximumThreads = 65536

    /// The running thread: one load of the word the switch path keeps in the processor's
    /// own slot (no lock), so a getpid-style call costs a few instructions.
    public static var current: ThreadID { ThreadID(Int(truncatingIfNeeded: Processor.threadWord)) }

    /// Bytes between the stack pointer and the bottom of the running thread's stack.
    public static var stackRemaining: Int {
        #if hasFeature(Embedded)
        let core = Processor.index
        let base = state.withLock { $0.threads[$0.cores[core].current]!.context.stackBase }
        let pointer = Processor.stackPointer
        return pointer > base ? Int(pointer - base) : 0
        #else
        return Int.max
        #endif
    }

    /// The running thread's execution context (what ``X86/UserMode/enter(_:fsBase:on:)``
    /// runs a program on).
    public static var currentContext: ExecutionContext {
        state.withLock { $0.threads[$0.cores[Processor.index].current]!.context }
    }

    /// The processor the running thread is on.
    public static var currentCore: Int { Processor.index }

    /// Processors the scheduler runs threads on.
    public static var coreCount: Int { state.withLock { s in s.cores.filter { $0.online }.count } }

    /// Whether processor `core` runs threads.
    public static func isOnline(_ core: Int) -> Bool {
        state.withLock { s in core < s.cores.count && s.cores[core].online }
    }

    /// Whether a timer module drives sleeping and preemption.
    public static var hasTimer: Bool { state.withLock { $0.timer != nil } }

    /// Context switches so far.
    public static var switchCount: Int { state.withLock { $0.switches } }

    /// Movable threads moved to another processor so far.
    public static var moveCount: Int { state.withLock { $0.moves } }

    /// Threads that have been spawned and not yet joined (including the boot thread).
    public static var liveThreadCount: Int { state.withLock { $0.liveThreads } }

    // MARK: Start-up

    /// Turns the running boot code into the first thread and creates the idle thread.
    static func start(boot bootContext: ExecutionContext, stacks: ThreadStacks) {
        ExecutionContext.setEntry { argument in threadMain(slot: Int(argument)) }
        state.withLock { s in
            s.stacks = stacks
            let boot = KernelThread(id: ThreadID(slot: 0, generation: 1), priority: .normal, state: .running,
                                    context: bootContext, body: nil, core: 0)
            s.threads = [boot]
            s.generations = [1]
            s.cores[0].current = 0
            s.cores[0].online = true
            Processor.threadWord = UInt64(boot.id.rawValue)
            s.liveThreads = 1
        }
        guard let idle = makeThread(priority: Priority(0), core: 0, body: nil, isIdle: true) else {
            Panic.halt("Sched: no memory for the idle thread's stack")
        }
        state.withLock { s in s.cores[0].idle = idle.slot }
    }

    /// Makes the code running on processor `core` (an application processor, whose running
    /// context Boot handed over) that processor's idle thread, and runs the idle loop there.
    /// Never returns.
    public static func runProcessor(_ core: Int, context: ExecutionContext) -> Never {
        state.withLock { s in
            while s.cores.count <= core { s.cores.append(Core()) }
            let slot = takeSlot(&s)
            let id = ThreadID(slot: slot, generation: s.generations[slot])
            s.threads[slot] = KernelThread(id: id, priority: Priority(0), state: .running,
                                           context: context, body: nil, core: core, isIdle: true)
            s.cores[core].idle = slot
            s.cores[core].current = slot
            s.cores[core].online = true
            Processor.threadWord = UInt64(id.rawValue)
            s.cores[core].sliceEnd = TimeSource.now &+ s.timeSlice
        }
        idleLoop()
    }

    /// Lets `timer` wake processors for sleepers and preempt threads whose time slice is up,
    /// and `kick` wake a halted processor when another makes one of its threads ready.
    public static func installTimer(_ timer: any WakeupTimer, kick: @escaping @Sendable (Int) -> Void,
                                    timeSliceNanoseconds: UInt64 = 10_000_000) {
        let slice = TimeSource.ticks(nanoseconds: timeSliceNanoseconds)
        let core = Processor.index
        state.withLock { s in
            s.timer = timer
            s.kick = kick
            s.timeSlice = slice
            s.cores[core].sliceEnd = TimeSource.now &+ slice
            rearm(&s, core)
        }
    }

    /// Programs this processor's timer for its next event: the earliest sleeper, and — only
    /// when another thread of at least the running thread's priority is ready — the end of
    /// the time slice. With one thread ready on a processor nothing interrupts it (tickless).
    static func rearm(_ s: inout State, _ core: Int) {
        guard let timer = s.timer else { return }
        var deadline = s.cores[core].sleepQueue.nextDeadline ?? 0
        let current = s.threads[s.cores[core].current]!
        if !current.isIdle, let top = s.cores[core].runQueue.highestReadyPriority, top >= current.priority {
            deadline = deadline == 0 ? s.cores[core].sliceEnd : min(deadline, s.cores[core].sliceEnd)
        }
        let sampling = SampleProfiler.period
        if sampling != 0 {                              // profiling: a sample at least every period
            let next = TimeSource.now &+ sampling
            deadline = deadline == 0 ? next : min(deadline, next)
        }
        // An earlier deadline already armed can stay: the interrupt re-evaluates and re-arms.
        // This keeps the timer untouched on most switches.
        if deadline != 0 && (s.cores[core].armedDeadline == 0 || deadline < s.cores[core].armedDeadline) {
            s.cores[core].armedDeadline = deadline
            timer.arm(deadline: deadline)
        }
    }

    /// Called by the timer's and the wake-up IPI's handlers (interrupts disabled): wakes due
    /// sleepers and preempts the running thread if a higher-priority thread is ready or its
    /// slice is up.
    public static func timerInterrupt() {
        let core = Processor.index
        let preempt = state.withLock { s -> Bool in
            s.cores[core].armedDeadline = 0
            wakeSleepers(&s, core)
            let current = s.threads[s.cores[core].current]!
            var switchNow = false
            if let top = s.cores[core].runQueue.highestReadyPriority {
                switchNow = current.isIdle || top > current.priority
                    || (top == current.priority && TimeSource.now >= s.cores[core].sliceEnd)
            }
            if !switchNow { rearm(&s, core) }
            return switchNow
        }
        if preempt { switchAway(to: .ready) }
    }

    // MARK: Creating threads

    /// A new ready thread running `body` on processor `core`, or nil when no stack can be
    /// had or that processor is not running.
    static func spawn(priority: Priority, core: Int?, movable: Bool = false, body: @escaping @Sendable () -> Int) -> ThreadID? {
        let target = core ?? Processor.index
        guard state.withLock({ target < $0.cores.count && $0.cores[target].online }) else { return nil }
        guard let id = makeThread(priority: priority, core: target, body: body, isIdle: false, movable: movable) else { return nil }
        state.withLock { s in
            s.liveThreads += 1
            makeReady(id, priority: priority, core: target, &s)
        }
        return id
    }

    static func takeSlot(_ s: inout State) -> Int {
        if let free = s.freeSlots.popLast() {
            s.generations[free] += 1
            return free
        }
        s.threads.append(nil)
        s.generations.append(1)
        return s.threads.count - 1
    }

    static func makeThread(priority: Priority, core: Int, body: (@Sendable () -> Int)?, isIdle: Bool, movable: Bool = false) -> ThreadID? {
        guard let stacks = state.withLock({ $0.stacks }), let stack = stacks.take() else { return nil }
        return state.withLock(moving: stack) { s, stack -> ThreadID in
            let slot = takeSlot(&s)
            let id = ThreadID(slot: slot, generation: s.generations[slot])
            let context = ExecutionContext(stack: stack, argument: UInt64(slot))
            s.threads[slot] = KernelThread(id: id, priority: priority, state: .ready,
                                           context: context, body: body, core: core, isIdle: isIdle, movable: movable)
            return id
        }
    }

    /// Queues `thread` on `core` — or, for a movable thread whose processor runs another
    /// thread, on a halted processor — and, if that is another processor, wakes it.
    static func makeReady(_ thread: ThreadID, priority: Priority, core: Int, _ s: inout State) {
        var target = core
        if let moving = s.threads[thread.slot], moving.canMove, !s.cores[core].halted,
           s.threads[s.cores[core].current]?.isIdle == false,
           let halted = s.cores.indices.first(where: { $0 != core && s.cores[$0].online && s.cores[$0].halted && s.cores[$0].runQueue.isEmpty }) {
            target = halted
            moving.core = halted
            s.moves += 1
        }
        s.cores[target].runQueue.enqueue(thread, priority: priority)
        if target != Processor.index, s.cores[target].halted, let kick = s.kick { kick(target) }
    }

    /// Moves to `core`, which has nothing to run, a movable thread that waits behind another
    /// processor's running thread (one whose context is suspended); whether one was found.
    static func takeWaitingThread(_ s: inout State, to core: Int) -> Bool {
        for other in s.cores.indices where other != core && s.cores[other].online && !s.cores[other].runQueue.isEmpty {
            guard s.threads[s.cores[other].current]?.isIdle == false else { continue }   // it runs them itself
            let threads = s.threads
            guard let chosen = s.cores[other].runQueue.first(where: { threads[$0.slot]?.canMove ?? false }),
                  let thread = s.threads[chosen.slot] else { continue }
            _ = s.cores[other].runQueue.remove(chosen)
            thread.core = core
            s.cores[core].runQueue.enqueue(chosen, priority: thread.priority)
            s.moves += 1
            return true
        }
        return false
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

    /// Picks the next thread on `core` after the current one went to `newState`; nil when
    /// the current thread keeps running.
    static func pickNext(_ s: inout State, _ core: Int, leaving newState: ThreadState) -> (ExecutionContext, ExecutionContext)? {
        let currentSlot = s.cores[core].current
        let current = s.threads[currentSlot]!
        if newState == .blocked && current.pendingWake { current.pendingWake = false; return nil }
        if newState == .sleeping && current.wakeableSleep && current.pendingWake {
            // Woken between deciding to wait and switching away.
            current.pendingWake = false
            s.cores[core].sleepQueue.remove(current.id)
            return nil
        }
        // A thread going to sleep is marked so before sleepers are woken: if its own deadline
        // has already passed it is woken here like any other, instead of being taken out of
        // the sleep queue while still marked running (and then sleeping for ever).
        if newState != .ready { current.state = newState }
        wakeSleepers(&s, core)
        if newState == .ready {
            if s.cores[core].runQueue.isEmpty { return nil }   // nobody else to run
            current.state = .ready
            if !current.isIdle { s.cores[core].runQueue.enqueue(current.id, priority: current.priority) }
        }
        if newState == .finished { s.cores[core].leaving = currentSlot }
        let nextSlot = s.cores[core].runQueue.next()?.slot ?? s.cores[core].idle
        guard nextSlot != currentSlot else { current.state = .running; return nil }
        let next = s.threads[nextSlot]!
        next.state = .running
        s.cores[core].current = nextSlot
        if !next.isIdle { s.cores[core].halted = false }   // woken from its halt by an interrupt
        // Interrupts are off from here to the switch, so nothing on this processor can see
        // the word name the next thread while the current one still runs.
        Processor.threadWord = UInt64(next.id.rawValue)
        s.switches += 1
        s.cores[core].sliceEnd = TimeSource.now &+ s.timeSlice
        rearm(&s, core)
        return (current.context, next.context)
    }

    /// Switches to the next thread, leaving the current one in `newState`. With `.ready` the
    /// current thread is queued again (unless it is the idle thread). Returns when the
    /// current thread runs again (never for `.finished`, see ``finish(_:)``).
    static func switchAway(to newState: ThreadState) {
        let wereEnabled = Processor.interruptsEnabled
        Processor.disableInterrupts()
        let core = Processor.index
        let contexts = state.withLock { s in pickNext(&s, core, leaving: newState) }
        if let (from, to) = contexts {
            from.switchTo(to)
            afterSwitch()
        }
        if wereEnabled { Processor.enableInterrupts() }
    }

    /// Runs on the thread just switched to: returns the stack of a thread that finished.
    static func afterSwitch() {
        let core = Processor.index
        state.withLock { s in
            guard let slot = s.cores[core].leaving else { return }
            s.cores[core].leaving = nil
            if let thread = s.threads[slot], let stack = thread.context.retire() { s.stacks?.give(stack) }
        }
    }

    /// Moves sleepers of `core` whose time has come to its run queue.
    static func wakeSleepers(_ s: inout State, _ core: Int) {
        guard let deadline = s.cores[core].sleepQueue.nextDeadline else { return }
        let now = TimeSource.now
        guard deadline <= now else { return }
        for id in s.cores[core].sleepQueue.wakeExpired(now: now) {
            if let thread = s.threads[id.slot], thread.id == id, thread.state == .sleeping {
                thread.state = .ready
                s.cores[core].runQueue.enqueue(id, priority: thread.priority)
            }
        }
    }

    /// The idle thread: runs whatever became ready; otherwise halts until the timer (armed
    /// for the next sleeper), a wake-up IPI or another interrupt wakes the processor, or
    /// spins when no timer module is linked.
    static func idleLoop() -> Never {
        let core = Processor.index
        while true {
            Processor.disableInterrupts()
            let (work, canHalt) = state.withLock { s -> (Bool, Bool) in
                wakeSleepers(&s, core)
                if !s.cores[core].runQueue.isEmpty || takeWaitingThread(&s, to: core) { s.cores[core].halted = false; return (true, false) }
                rearm(&s, core)
                s.cores[core].halted = s.timer != nil
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
        // The fast path: nothing else ready and no sleeper due. (The processor index is read
        // inside the closure, so it captures nothing and inlines.)
        let busy = state.withLock { s -> Bool in
            let core = Processor.index
            if s.cores[core].runQueue.count != 0 { return true }
            if let deadline = s.cores[core].sleepQueue.nextDeadline, deadline <= TimeSource.now { return true }
            return false
        }
        if busy { switchAway(to: .ready) }
    }

    public static func block() {
        let core = Processor.index
        let woken = state.withLock { s -> Bool in
            let current = s.threads[s.cores[core].current]!
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
            makeReady(thread, priority: target.priority, core: target.core, &s)
        case .running, .ready:
            target.pendingWake = true
        case .sleeping where target.wakeableSleep:
            s.cores[target.core].sleepQueue.remove(thread)
            target.state = .ready
            makeReady(thread, priority: target.priority, core: target.core, &s)
        case .sleeping, .finished:
            break
        }
    }

    /// Sleeps until `deadline` or until ``wake(_:)`` names the running thread, whichever comes
    /// first (a wake-up that arrived since the last wait returns at once). For threads that
    /// wait for a device and a timer at the same time.
    public static func waitForWake(until deadline: UInt64) {
        let wereEnabled = Processor.interruptsEnabled
        Processor.disableInterrupts()
        let core = Processor.index
        let sleep = state.withLock { s -> Bool in
            let current = s.threads[s.cores[core].current]!
            if current.pendingWake { current.pendingWake = false; return false }
            current.wakeableSleep = true
            s.cores[core].sleepQueue.add(current.id, deadline: deadline)
            return true
        }
        if sleep {
            switchAway(to: .sleeping)
            // Read again: a movable thread may wake on another processor.
            state.withLock { s in s.threads[s.cores[Processor.index].current]!.wakeableSleep = false }
        }
        if wereEnabled { Processor.enableInterrupts() }
    }

    /// Puts the running thread to sleep until the TSC reaches `deadline`.
    static func sleep(until deadline: UInt64) {
        let wereEnabled = Processor.interruptsEnabled
        Processor.disableInterrupts()
        let core = Processor.index
        state.withLock { s in s.cores[core].sleepQueue.add(s.threads[s.cores[core].current]!.id, deadline: deadline) }
        switchAway(to: .sleeping)
        if wereEnabled { Processor.enableInterrupts() }
    }

    /// Ends the running thread with `value`; wakes its joiners.
    static func finish(_ value: Int) -> Never {
        Processor.disableInterrupts()
        let core = Processor.index
        ExecutionContext.abandonRunning {
            // One critical section: the value, the joiners' wake-ups and the state change
            // happen together, so a joiner on another processor sees either a running thread
            // (and is woken) or a finished one (and collects it).
            state.withLock { s -> (current: ExecutionContext, next: ExecutionContext) in
                let current = s.threads[s.cores[core].current]!
                current.exitValue = value
                current.body = nil
                let joiners = current.joiners
                current.joiners = []
                for joiner in joiners { wake(joiner, in: &s) }
                guard let pair = pickNext(&s, core, leaving: .finished) else {
                    Panic.halt("a finished thread had nothing to switch to")
                }
                return (pair.0, pair.1)
            }
        }
    }

    /// What ``collect(_:)`` found.
    enum Collection {
        /// The thread had finished: its value (nil if it had been joined before).
        case finished(Int?)
        /// The caller is registered to be woken when the thread finishes.
        case waiting
        /// The thread has finished but its processor is still leaving its stack.
        case retry
    }

    /// The exit value of `thread` once it has finished (freeing its slot), or nil after
    /// registering the caller to be woken when it does.
    static func collect(_ thread: ThreadID) -> Collection {
        let core = Processor.index
        return state.withLock { s -> Collection in
            guard let target = s.threads[thread.slot], target.id == thread else { return .finished(nil) }  // already joined
            let me = s.threads[s.cores[core].current]!
            if target.state == .finished {
                // Its processor may still be switching away from its stack: try again shortly.
                if s.cores[target.core].leaving == thread.slot { return .retry }
                s.threads[thread.slot] = nil
                s.freeSlots.append(thread.slot)
                s.liveThreads -= 1
                return .finished(target.exitValue)
            }
            target.joiners.append(me.id)
            return .waiting
        }
    }
}

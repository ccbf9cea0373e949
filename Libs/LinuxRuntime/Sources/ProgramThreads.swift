import Boot
import LinuxABI
import Sched
import X86

/// The program's threads: `clone` for the thread flags glibc and musl pass, `set_tid_address`,
/// thread `exit` with the clear-tid word and its futex wake, `futex` over the scheduler, and
/// the signals a program sends itself (`abort`).
///
/// Guarantees: each program thread is a scheduler thread of its own with its own kernel stack
/// and FS base; the child resumes where the parent called `clone`, with every register the
/// parent had except RAX = 0 and the new stack; a waiter is queued before it sleeps and under
/// the same lock as the word's check, so a wake between the check and the sleep is never lost
/// (the scheduler remembers a wake-up that comes before the sleep); the process ends when its
/// last thread exits, or at `exit_group`, with that status.
extension LinuxRuntime {
    struct ProgramThread: Sendable {
        var tid: Int32
        var clearChildThreadID: UInt64 = 0
        var handle: ThreadHandle? = nil
        /// The processor it runs on (a thread stays on its processor).
        var core: Int = 0
    }

    struct ThreadTable: Sendable {
        var threads: [ThreadID: ProgramThread] = [:]
        var nextTID: Int32 = 2
        /// Threads that exited, to be joined (their scheduler slots and stacks freed).
        var exited: [ThreadHandle] = []
    }

    static let threadTable = InterruptSafeLock(ThreadTable())
    static let futexes = InterruptSafeLock(FutexTable<ThreadID>())

    /// Records the running thread as the program's first (tid 1 = the process ID).
    static func adoptMainThread() {
        let me = Threads.current
        let core = Threads.currentCore
        threadTable.withLock { $0.threads[me] = ProgramThread(tid: Int32(LinuxProcess.processID), core: core) }
    }

    /// The processor a new program thread goes to: the one running the fewest of the
    /// program's threads (the lowest-numbered among equals), so that a program that starts
    /// one thread per processor — NIO's event loops, a thread pool — gets all of them, as
    /// Linux's load balancing would give it. Threads do not move afterwards.
    static func placement(_ table: ThreadTable) -> Int {
        let cores = Threads.coreCount
        guard cores > 1 else { return Threads.currentCore }
        var counts = [Int](repeating: 0, count: cores)
        for thread in table.threads.values where thread.core < cores { counts[thread.core] += 1 }
        var best = 0
        for core in 1..<cores where counts[core] < counts[best] { best = core }
        return best
    }

    /// What `/proc/<tid>/stat` says of the program's thread `tid`: `S` while it waits (a
    /// futex, or events), `R` otherwise; nil when no thread has that tid. Takes the thread
    /// table's and the wait queues' locks inside the process's (none of them is ever held
    /// while taking the process's).
    static func threadState(_ tid: Int32) -> UInt8? {
        guard let thread = threadTable.withLock({ table in table.threads.first { $0.value.tid == tid }?.key }) else { return nil }
        let waiting = futexes.withLock { $0.isWaiting(thread) } || lockWaiters.withLock { $0.isWaiting(LockWaiter(thread: thread, tid: UInt32(bitPattern: tid) & tidMask)) } || eventWaiters.withLock { $0.contains { $0.thread == thread } }
        return UInt8(ascii: waiting ? "S" : "R")
    }

    /// The running thread's tid.
    static var currentTID: Int64 {
        let me = Threads.current
        return Int64(threadTable.withLock { $0.threads[me]?.tid ?? Int32(LinuxProcess.processID) })
    }

    static let cloneVM: UInt64 = 0x100, cloneThread: UInt64 = 0x10000, cloneSetTLS: UInt64 = 0x80000
    static let cloneParentSetTID: UInt64 = 0x10_0000, cloneChildClearTID: UInt64 = 0x20_0000, cloneChildSetTID: UInt64 = 0x100_0000
    static let cloneSignalHandlers: UInt64 = 0x800, cloneFiles: UInt64 = 0x400, cloneFileSystem: UInt64 = 0x200
    /// What a thread clone may carry besides the flags above (SYSVSEM, DETACHED, the exit signal).
    static let cloneAllowed: UInt64 = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000 | 0x10_0000 | 0x20_0000 | 0x40_0000 | 0x100_0000 | 0xFF

    /// `clone(flags, stack, parent_tid, child_tid, tls)` for a thread; -ENOSYS for a fork.
    static func clone(_ registers: UserRegisters) -> Int64 {
        let (flags, stack, parentTID, childTID, tls, _) = registers.arguments
        guard flags & cloneVM != 0, flags & cloneThread != 0, flags & cloneSignalHandlers != 0 else { return -38 }   // fork, vfork
        guard flags & ~cloneAllowed == 0 else { return -22 }
        reapExitedThreads()
        let tid = threadTable.withLock { table -> Int32 in
            defer { table.nextTID = table.nextTID == Int32.max ? 2 : table.nextTID + 1 }
            return table.nextTID
        }
        var tidBytes: [UInt8] = []
        for index in 0..<4 { tidBytes.append(UInt8(truncatingIfNeeded: UInt32(bitPattern: tid) >> (8 * UInt32(index)))) }
        if flags & cloneParentSetTID != 0, !memory.write(parentTID, tidBytes) { return -14 }
        if flags & cloneChildSetTID != 0, !memory.write(childTID, tidBytes) { return -14 }
        var child = registers
        child.frame.rax = 0
        if stack != 0 { child.frame.rsp = stack }
        let fsBase = flags & cloneSetTLS != 0 ? tls : UserMode.fsBase
        if flags & cloneSetTLS != 0 && tls >= UserRegisters.lowerHalfEnd { return -1 }   // EPERM, as Linux for a bad TLS
        let clearTID = flags & cloneChildClearTID != 0 ? childTID : 0
        let body: @Sendable () -> Int = { [child] in
            let me = Threads.current
            // The parent records the thread before it can run here (it holds no lock the child needs).
            while threadTable.withLock({ $0.threads[me] == nil }) { Threads.yield() }
            UserMode.enter(child, fsBase: fsBase, on: Threads.currentContext)
        }
        var core = threadTable.withLock { placement($0) }
        var spawned = Threads.spawn(core: core, movable: true, body)
        if spawned == nil && core != Threads.currentCore {
            core = Threads.currentCore
            spawned = Threads.spawn(core: core, movable: true, body)
        }
        guard let started = spawned else { return -11 }   // EAGAIN
        threadTable.withLock { $0.threads[started.id] = ProgramThread(tid: tid, clearChildThreadID: clearTID, handle: started, core: core) }
        return Int64(tid)
    }

    /// `set_tid_address(address)`: the running thread's clear-tid word; returns its tid.
    static func setTIDAddress(_ address: UInt64) -> Int64 {
        let me = Threads.current
        return Int64(threadTable.withLock { table -> Int32 in
            table.threads[me, default: ProgramThread(tid: Int32(LinuxProcess.processID))].clearChildThreadID = address
            return table.threads[me]!.tid
        })
    }

    /// `exit(status)` of one thread: clears and wakes its clear-tid word, ends it; the last
    /// thread's exit ends the process.
    static func exitThread(status: Int32) -> Never {
        let me = Threads.current
        let (record, remaining) = threadTable.withLock { table -> (ProgramThread?, Int) in
            let record = table.threads.removeValue(forKey: me)
            if let handle = record?.handle { table.exited.append(handle) }
            return (record, table.threads.count)
        }
        if remaining == 0 { drainNetwork(); end(status: status) }
        if let address = record?.clearChildThreadID, address != 0 {
            _ = memory.write(address, [0, 0, 0, 0])
            _ = futexWake(address, count: 1, bitset: .max)
        }
        Threads.exit(0)
    }

    /// Joins threads that exited (their exit has finished or is finishing).
    static func reapExitedThreads() {
        let exited = threadTable.withLock { table -> [ThreadHandle] in
            defer { table.exited = [] }
            return table.exited
        }
        for handle in exited { _ = handle.join() }
    }

    // MARK: futex

    /// `futex(address, operation, value, timeout, address2, value3)`.
    static func futex(_ arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) -> Int64 {
        let (address, word, value, timeout, address2, value3) = arguments
        let operation: FutexOperation
        do { operation = try FutexOperation(Int32(truncatingIfNeeded: word)) } catch { return error.returnValue }
        let expected = UInt32(truncatingIfNeeded: value)
        switch operation.command {
        case .wait, .waitBitset:
            let bitset = operation.command == .wait ? UInt32.max : UInt32(truncatingIfNeeded: value3)
            var deadline: UInt64? = nil
            if timeout != 0 {
                let span: UInt64
                switch readTimespec(timeout) {
                case .unreadable: return -14
                case .invalid: return -22
                case .nanoseconds(let value): span = value
                }
                if operation.command == .wait {
                    deadline = ProgramClock.monotonicNanoseconds &+ span    // FUTEX_WAIT: relative
                } else {
                    let now = operation.realTimeClock ? ProgramClock.realTimeNanoseconds : ProgramClock.monotonicNanoseconds
                    deadline = ProgramClock.monotonicNanoseconds &+ (span > now ? span - now : 0)
                }
            }
            return futexWait(address, expected: expected, bitset: bitset, deadline: deadline)
        case .wake, .wakeBitset:
            let bitset = operation.command == .wake ? UInt32.max : UInt32(truncatingIfNeeded: value3)
            return futexWake(address, count: Int32(truncatingIfNeeded: value), bitset: bitset)
        case .requeue, .compareRequeue:
            let result = futexes.withLock { table -> Result<(woken: [ThreadID], moved: Int), LinuxError> in
                if operation.command == .compareRequeue {
                    guard let bytes = memory.read(address, count: 4) else { return .failure(.badAddress) }
                    guard word32(bytes) == UInt32(truncatingIfNeeded: value3) else { return .failure(.tryAgain) }
                }
                do throws(LinuxError) {
                    let outcome = try table.requeue(address, to: address2, count: Int32(truncatingIfNeeded: value),
                                                    requeueCount: Int32(truncatingIfNeeded: timeout))
                    return .success(outcome)
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .failure(let error): return error.returnValue
            case .success(let outcome):
                for thread in outcome.woken { Threads.wake(thread) }
                return Int64(outcome.woken.count + (operation.command == .compareRequeue ? outcome.moved : 0))
            }
        case .wakeOperation:
            return -38
        case .lockPI, .tryLockPI:
            var deadline: UInt64? = nil
            if timeout != 0 && operation.command == .lockPI {      // absolute, on CLOCK_REALTIME
                switch readTimespec(timeout) {
                case .unreadable: return -14
                case .invalid: return -22
                case .nanoseconds(let value):
                    let now = ProgramClock.realTimeNanoseconds
                    deadline = ProgramClock.monotonicNanoseconds &+ (value > now ? value - now : 0)
                }
            }
            return lockPI(address, trying: operation.command == .tryLockPI, deadline: deadline)
        case .unlockPI:
            return unlockPI(address)
        }
    }

    // MARK: PI futexes (FUTEX_LOCK_PI, FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI)

    /// A thread queued in FUTEX_LOCK_PI, with the tid the lock word gets when it is handed over.
    struct LockWaiter: Sendable, Equatable {
        var thread: ThreadID
        var tid: UInt32
    }

    /// The threads waiting for PI lock words, in arrival order per word. A lock word holds its
    /// owner's tid (FUTEX_TID_MASK), FUTEX_WAITERS while threads wait in here, and
    /// FUTEX_OWNER_DIED; programs take and release free words with their own atomic
    /// instructions and come here only when the word is held or has waiters.
    static let lockWaiters = InterruptSafeLock(FutexTable<LockWaiter>())
    static let tidMask: UInt32 = 0x3FFF_FFFF, waitersBit: UInt32 = 0x8000_0000

    /// What one look at a PI lock word decided.
    enum LockStep { case acquired, queued, retry, busy, deadlock, fault }

    /// FUTEX_LOCK_PI (or, `trying`, FUTEX_TRYLOCK_PI): takes the lock word at `address` for the
    /// calling thread — at once when it is free, else after setting FUTEX_WAITERS and waiting
    /// until its owner's FUTEX_UNLOCK_PI hands it over (first come, first served; no priority
    /// is inherited: this kernel has no priorities among a program's threads). EDEADLK when
    /// the caller owns it, EAGAIN for a held word when only trying, ETIMEDOUT at `deadline`.
    static func lockPI(_ address: UInt64, trying: Bool, deadline: UInt64?) -> Int64 {
        guard address & 3 == 0 else { return -22 }
        let me = Threads.current
        let tid = UInt32(truncatingIfNeeded: currentTID) & tidMask
        let waiter = LockWaiter(thread: me, tid: tid)
        while true {
            let step = lockWaiters.withLock { table -> LockStep in
                guard let bytes = memory.read(address, count: 4) else { return .fault }
                let word = word32(bytes)
                let owner = word & tidMask
                if owner == 0 {
                    // Free (its owner may have died): the caller's, keeping the waiters' mark.
                    let desired = tid | (table.waiting(on: address) > 0 ? waitersBit : 0)
                    guard let found = memory.compareExchange32(address, expected: word, desired: desired) else { return .fault }
                    return found == word ? .acquired : .retry
                }
                if owner == tid { return .deadlock }
                if trying { return .busy }
                if word & waitersBit == 0 {
                    // The owner's release must come here: mark the word first.
                    guard let found = memory.compareExchange32(address, expected: word, desired: word | waitersBit) else { return .fault }
                    if found != word { return .retry }
                }
                do throws(LinuxError) { try table.wait(waiter, on: address) } catch { return .fault }
                return .queued
            }
            switch step {
            case .acquired: return 0
            case .retry: continue
            case .busy: return -11              // EAGAIN (EWOULDBLOCK)
            case .deadlock: return -35          // EDEADLK
            case .fault: return -14
            case .queued: break
            }
            // Handed over by the owner's unlock (which dequeues this thread and writes its tid).
            while lockWaiters.withLock({ $0.isWaiting(waiter) }) {
                if let deadline {
                    let now = ProgramClock.monotonicNanoseconds
                    if now >= deadline { return lockWaiters.withLock { $0.cancel(waiter) } ? -110 : 0 }
                    Threads.waitForWake(nanoseconds: deadline - now)
                } else {
                    CoreScheduler.block()
                }
            }
            return 0
        }
    }

    /// FUTEX_UNLOCK_PI: the caller releases the lock word at `address` it owns (EPERM
    /// otherwise): to the first thread waiting for it, whose tid the word then holds (with
    /// FUTEX_WAITERS while more wait), or to nobody (the word becomes 0).
    static func unlockPI(_ address: UInt64) -> Int64 {
        guard address & 3 == 0 else { return -22 }
        let tid = UInt32(truncatingIfNeeded: currentTID) & tidMask
        while true {
            let outcome = lockWaiters.withLock { table -> (result: Int64, next: ThreadID?, retry: Bool) in
                guard let bytes = memory.read(address, count: 4) else { return (-14, nil, false) }
                let word = word32(bytes)
                guard word & tidMask == tid else { return (-1, nil, false) }   // EPERM
                let queued = (try? table.wake(address, count: 1)) ?? []
                let desired = queued.first.map { $0.tid | (table.waiting(on: address) > 0 ? waitersBit : 0) } ?? 0
                guard let found = memory.compareExchange32(address, expected: word, desired: desired) else {
                    for waiter in queued { try? table.wait(waiter, on: address) }   // put back: nothing changed
                    return (-14, nil, false)
                }
                guard found == word else {
                    // Not while the caller owns it (every other change of a held word is made
                    // under this lock), but should it move: queue the waiter again and look again.
                    for waiter in queued { try? table.wait(waiter, on: address) }
                    return (0, nil, true)
                }
                return (0, queued.first?.thread, false)
            }
            if outcome.retry { continue }
            if let next = outcome.next { Threads.wake(next) }
            return outcome.result
        }
    }

    static func futexWait(_ address: UInt64, expected: UInt32, bitset: UInt32, deadline: UInt64?) -> Int64 {
        let me = Threads.current
        let queued = futexes.withLock { table -> Int64 in
            guard let bytes = memory.read(address, count: 4) else { return -14 }
            guard word32(bytes) == expected else { return -11 }   // EAGAIN
            do throws(LinuxError) { try table.wait(me, on: address, bitset: bitset) } catch { return error.returnValue }
            return 0
        }
        guard queued == 0 else { return queued }
        while futexes.withLock({ table in table.isWaiting(me) }) {
            if let deadline {
                let now = ProgramClock.monotonicNanoseconds
                if now >= deadline {
                    return futexes.withLock { $0.cancel(me) } ? -110 : 0   // ETIMEDOUT, unless a wake took it first
                }
                Threads.waitForWake(nanoseconds: deadline - now)
            } else {
                CoreScheduler.block()
            }
        }
        return 0
    }

    static func futexWake(_ address: UInt64, count: Int32, bitset: UInt32) -> Int64 {
        let result = futexes.withLock { table -> Result<[ThreadID], LinuxError> in
            do throws(LinuxError) { return .success(try table.wake(address, count: count, bitset: bitset)) } catch { return .failure(error) }
        }
        switch result {
        case .failure(let error): return error.returnValue
        case .success(let woken):
            for thread in woken { Threads.wake(thread) }
            return Int64(woken.count)
        }
    }

    static func word32(_ bytes: [UInt8]) -> UInt32 {
        UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
    }

    enum Timespec { case unreadable, invalid, nanoseconds(UInt64) }

    /// A `struct timespec` at `address`, in nanoseconds (invalid: negative, or nanoseconds ≥ 10^9).
    static func readTimespec(_ address: UInt64) -> Timespec {
        guard let bytes = memory.read(address, count: 16) else { return .unreadable }
        guard let nanoseconds = LinuxProcess.nanoseconds(bytes, at: 0) else { return .invalid }
        return .nanoseconds(nanoseconds)
    }

    // MARK: Signals a program sends itself

    /// `kill`, `tkill`, `tgkill` aimed at the program itself: signal 0 probes, and a signal
    /// ignored by default is accepted; any other ends the program as Linux's default action
    /// would (there is no delivery to handlers yet: `abort` and `raise` end the program).
    static func signalSelf(_ signal: UInt64) -> Int64 {
        guard signal <= 64 else { return -22 }
        if signal == 0 { return 0 }
        let ignoredByDefault: Set<UInt64> = [17, 23, 28]   // SIGCHLD, SIGURG, SIGWINCH
        if ignoredByDefault.contains(signal) { return 0 }
        let names: [UInt64: String] = [1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
                                       8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM"]
        Console.write("hermit: the program was killed by signal \(signal) (\(names[signal] ?? "SIG\(signal)"))\n")
        end(status: Int32(128 + min(signal, 127)))
    }
}

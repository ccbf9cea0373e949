import Alloc
import Boot
import LinuxABI
import Net
import Paging
import Sched
import Synchronization
import X86

/// The system call path: what the SYSCALL stub hands over, served by the process.
extension LinuxRuntime {
    /// What a call left for the mechanism to do once the process's lock is released.
    struct Aftermath: Sendable {
        var result: Int64
        var released: [Range<UInt64>] = []
        var exitStatus: Int32? = nil
        var mappings: MemoryMappings? = nil
        /// The threads waiting for events that the call's changes concern.
        var woken: [ThreadID] = []
        /// The call found no events and waits for them, until a change or this timer deadline.
        var waits = false
        var timerDeadline: UInt64? = nil
        /// A blocking pipe write took part of its bytes: the rest follows.
        var continues = false
        /// The network card's notification for the frames the call queued, rung once the
        /// process's lock is released.
        var doorbell: (any DeviceDoorbell)? = nil
    }

    /// Calls that change the mappings: mmap, mprotect, munmap, brk, mremap, madvise.
    static func changesMappings(_ number: UInt64) -> Bool {
        number == 9 || number == 10 || number == 11 || number == 12 || number == 25 || number == 28
    }

    /// Serves one system call (the handler ``X86/UserMode`` calls, on the thread's kernel stack).
    static func systemCall(_ registers: inout SystemCallFrame) {
        let number = registers.number
        switch number {                                 // the calls that need no arguments, before reading them
        case 39:                                        // getpid: no state needed
            registers.setResult(LinuxProcess.processID)
            return
        case 186:                                       // gettid
            registers.setResult(currentTID)
            return
        case 24:                                        // sched_yield
            Threads.yield()
            registers.setResult(0)
            return
        default:
            serveWithArguments(number, &registers)
        }
    }

    /// Every other call (kept out of ``systemCall(_:)``, so that the calls above pay for no
    /// more than they use: this one's frame is large).
    @inline(never)
    static func serveWithArguments(_ number: UInt64, _ registers: inout SystemCallFrame) {
        let (a0, a1, a2, a3, a4, a5) = registers.arguments
        switch number {
        case 56:                                        // clone
            registers.setResult(clone(registers.registers))
            return
        case 202:                                       // futex
            registers.setResult(futex(registers.arguments))
            return
        case 218:                                       // set_tid_address
            registers.setResult(setTIDAddress(a0))
            return
        case 60:                                        // exit (this thread)
            exitThread(status: Int32(truncatingIfNeeded: a0 & 0xFF))
        case 62, 200:                                   // kill(pid, sig), tkill(tid, sig)
            registers.setResult(signalSelf(a1))
            return
        case 234:                                       // tgkill(tgid, tid, sig)
            registers.setResult(signalSelf(a2))
            return
        case 169:                                       // reboot(magic, magic2, command)
            guard a0 == 0xFEE1_DEAD, [0x2812_1969, 0x0512_1996, 0x1607_1997, 0x2011_2000].contains(a1) else { registers.setResult(-22); return }
            switch a2 {
            case 0x4321_FEDC, 0xCDEF_0123, 0x0123_4567: end(status: 0)   // power off, halt, restart: the VM ends
            default: registers.setResult(-22); return
            }
        case 34, 130:                                   // pause, rt_sigsuspend: no signal will come
            while true { CoreScheduler.block() }
        case 35, 230:                                   // nanosleep, clock_nanosleep
            registers.setResult(sleep(number == 35 ? a0 : a2, flags: number == 35 ? 0 : a1, clock: number == 35 ? 1 : a0))
            return
        case 158 where a0 == 0x1002:                    // arch_prctl(ARCH_SET_FS)
            guard UserMode.setFSBase(a1) else { registers.setResult(-1); return }   // EPERM
        default:
            break
        }
        let arguments = [a0, a1, a2, a3, a4, a5]
        if LinuxProcess.isClockCall(number), !tracesCalls.load(ordering: .relaxed), let call = SystemCallNumber(rawValue: Int(number)) {
            // No process state: served without the process's lock, as Linux's vDSO serves them.
            do throws(LinuxError) {
                registers.setResult(try LinuxProcess.serveClock(call, arguments, memory, realTime: ProgramClock.realTimeNanoseconds,
                                                                monotonic: ProgramClock.monotonicNanoseconds))
            } catch {
                registers.setResult(error.returnValue)
            }
            return
        }
        if changesMappings(number) {
            // One mapping change at a time, from the table through the page tables and the
            // flushes: no other thread can be given a range whose old pages are still going.
            addressSpace.wait()
            let result = serve(number, arguments)
            addressSpace.signal()
            registers.setResult(result)
        } else {
            registers.setResult(serve(number, arguments))
        }
    }

    /// Serializes the calls that change the program's mappings: a semaphore, so waiting
    /// threads sleep and the holder keeps interrupts on (its TLB flushes need them).
    static let addressSpace = Semaphore(value: 1)

    /// Whether the program's calls are traced (`strace` among the kernel words): then every
    /// call goes through the process, which prints them.
    static let tracesCalls = Atomic<Bool>(false)

    /// A thread waiting for events: in `epoll_wait` on a set (`epoll`), or in any other call
    /// that waits (poll, select, a blocking read of an eventfd, timerfd, pipe or socket, a
    /// blocking write).
    struct EventWaiter: Sendable, Equatable {
        var thread: ThreadID
        var epoll: Int32?
    }

    /// Threads waiting for an event descriptor to change. Registered and chosen under the
    /// process's lock, so a change made under it cannot miss a waiter.
    static let eventWaiters = InterruptSafeLock<[EventWaiter]>([])

    /// After a change, under the process's lock: takes out of the queue the waiters to wake —
    /// every one not in `epoll_wait`, and those whose set now has something to report (as
    /// Linux wakes only the waiters of the epoll sets a change reaches); the others sleep on.
    static func eventWaitersToWake(_ process: LinuxProcess) -> [ThreadID] {
        let waiting = eventWaiters.withLock { $0 }
        guard !waiting.isEmpty else { return [] }
        let woken = waiting.filter { waiter in waiter.epoll.map { process.epollHasEvents($0) } ?? true }.map { $0.thread }
        if !woken.isEmpty { eventWaiters.withLock { waiters in waiters.removeAll { woken.contains($0.thread) } } }
        return woken
    }

    /// How long a call that finds nothing ready may wait.
    enum WaitLimit: Equatable {
        case none, forever, until(UInt64)

        /// A timeout in milliseconds as epoll_wait and poll take it (negative: forever).
        init(milliseconds: UInt64) {
            let value = Int32(truncatingIfNeeded: milliseconds)
            self = value < 0 ? .forever : value == 0 ? .none : .until(ProgramClock.monotonicNanoseconds &+ UInt64(value) * 1_000_000)
        }
    }

    /// The wait limit of call `number`: epoll_wait, epoll_pwait and poll take milliseconds,
    /// ppoll and pselect6 a `struct timespec`, select a `struct timeval` (NULL: forever);
    /// every other call that waits, forever.
    static func waitLimit(_ number: UInt64, _ arguments: [UInt64]) -> WaitLimit {
        switch number {
        case 232, 281: return WaitLimit(milliseconds: arguments[3])
        case 7: return WaitLimit(milliseconds: arguments[2])
        case 23:                                                    // select: a struct timeval
            guard arguments[4] != 0 else { return .forever }
            guard let bytes = memory.read(arguments[4], count: 16), let value = LinuxProcess.nanoseconds(timeval: bytes), value > 0 else { return .none }   // bad ones fail in the call
            return .until(ProgramClock.monotonicNanoseconds &+ value)
        case 270:                                                   // pselect6: a struct timespec
            guard arguments[4] != 0 else { return .forever }
            guard case .nanoseconds(let value) = readTimespec(arguments[4]), value > 0 else { return .none }
            return .until(ProgramClock.monotonicNanoseconds &+ value)
        case 271:
            guard arguments[2] != 0 else { return .forever }
            guard case .nanoseconds(let value) = readTimespec(arguments[2]), value > 0 else { return .none }   // bad ones fail in the call
            return .until(ProgramClock.monotonicNanoseconds &+ value)
        default: return .forever
        }
    }

    /// Whether call `number` waits for events when it finds none: epoll_wait, epoll_pwait,
    /// poll, ppoll, select and pselect6 that may wait, or a read, write, accept, connect, send or receive (without
    /// MSG_DONTWAIT) on a blocking event descriptor, pipe or socket that would block.
    static func waitsForEvents(_ number: UInt64, _ arguments: [UInt64], result: Int64, limit: WaitLimit, process: LinuxProcess) -> Bool {
        switch number {
        case 232, 281, 7, 271, 23, 270: return result == 0 && limit != .none
        case 0, 1, 19, 20, 42, 43, 288: return result == -11 && process.waitsForEvents(Int32(truncatingIfNeeded: arguments[0]))
        case 44, 45: return result == -11 && arguments[3] & 0x40 == 0 && process.waitsForEvents(Int32(truncatingIfNeeded: arguments[0]))   // not MSG_DONTWAIT
        case 46, 47: return result == -11 && arguments[2] & 0x40 == 0 && process.waitsForEvents(Int32(truncatingIfNeeded: arguments[0]))
        default: return false
        }
    }

    /// Serves a call through the process, then carries out what it left to do; a call that
    /// waits for events sleeps until a change, its limit or the next timer, and looks again.
    /// A blocking write to a pipe or stream socket that took only part goes on with the rest,
    /// as Linux's does.
    static func serve(_ number: UInt64, _ given: [UInt64]) -> Int64 {
        var arguments = given
        let limit = waitLimit(number, arguments)
        var written: Int64 = 0
        var lastLook = false
        while true {
            let me = Threads.current
            let finalLook = lastLook
            let callArguments = arguments
            let profiling = CallProfile.isOn
            let asked = profiling ? TimeSource.now : 0
            var entered: UInt64 = 0, finished: UInt64 = 0, polled: UInt64 = 0
            let aftermath = process.withLock { process -> Aftermath in
                if profiling { entered = TimeSource.now }
                guard let process else { return Aftermath(result: -38) }
                if profiling { process.measuresPolls = true; polled = process.pollNanoseconds }
                var outcome = Aftermath(result: process.handle(Int(truncatingIfNeeded: number), callArguments, memory: memory))
                if profiling { polled = process.pollNanoseconds &- polled }
                outcome.released = process.released
                process.released = []
                outcome.exitStatus = process.exitStatus
                if changesMappings(number) { outcome.mappings = process.mappings }
                if process.eventsChanged { outcome.woken = eventWaitersToWake(process) }
                process.eventsChanged = false
                outcome.doorbell = process.network?.device.takeDoorbell()
                if !finalLook && waitsForEvents(number, callArguments, result: outcome.result, limit: limit, process: process) {
                    // Queued under the process's lock: a change after this wakes this thread,
                    // and a wake before its sleep is remembered by the scheduler.
                    let epoll = number == 232 || number == 281 ? Int32(truncatingIfNeeded: callArguments[0]) : nil
                    eventWaiters.withLock { $0.append(EventWaiter(thread: me, epoll: epoll)) }
                    outcome.waits = true
                    outcome.timerDeadline = process.nextTimerDeadline
                } else if number == 1 || (number == 44 && callArguments[3] & 0x40 == 0), outcome.result > 0, UInt64(outcome.result) < callArguments[2],
                          process.waitsForEvents(Int32(truncatingIfNeeded: callArguments[0])) {
                    outcome.continues = true
                }
                if profiling { finished = TimeSource.now }
                return outcome
            }
            aftermath.doorbell?.ring()
            if profiling {
                CallProfile.add(number, waiting: entered &- asked, working: finished &- entered, sleeping: 0, polling: polled, counts: !finalLook && written == 0)
            }
            for thread in aftermath.woken { Threads.wake(thread) }
            if let exitStatus = aftermath.exitStatus { drainNetwork(); end(status: exitStatus) }
            if let mappings = aftermath.mappings { faultMappings.withLock { $0 = mappings } }
            for range in aftermath.released { release(range) }
            if number == 10 && aftermath.result == 0 { reprotect(arguments[0], length: arguments[1]) }
            if aftermath.continues {
                written += aftermath.result
                arguments[1] &+= UInt64(aftermath.result)
                arguments[2] -= UInt64(aftermath.result)
                continue
            }
            guard aftermath.waits else { return written > 0 && aftermath.result < 0 ? written : written + aftermath.result }
            let until: UInt64
            switch limit {
            case .until(let deadline): until = min(deadline, aftermath.timerDeadline ?? .max)
            default: until = aftermath.timerDeadline ?? .max
            }
            let now = ProgramClock.monotonicNanoseconds
            let slept = profiling ? TimeSource.now : 0
            if until == .max {
                CoreScheduler.block()
            } else if until > now {
                Threads.waitForWake(nanoseconds: until - now)
            }
            if profiling { CallProfile.add(number, waiting: 0, working: 0, sleeping: TimeSource.now &- slept, counts: false) }
            eventWaiters.withLock { $0.removeAll { $0.thread == me } }
            if case .until(let deadline) = limit, ProgramClock.monotonicNanoseconds >= deadline { lastLook = true }
        }
    }

    /// Unmaps every backed page of `range` and gives its frame back.
    static func release(_ range: Range<UInt64>) {
        var page = range.lowerBound & ~0xFFF
        while page < range.upperBound {
            let outcome = UserAddressSpace.release(VirtAddr(page))
            switch consume outcome {
            case .nothing: break
            case .programPage: break
            case .frame(let pending): Frames.free(pending.flush())
            }
            page += 4096
        }
    }

    /// Gives the backed pages of `[address, address + length)` the protection their mapping
    /// now has.
    static func reprotect(_ address: UInt64, length: UInt64) {
        let (end, overflow) = address.addingReportingOverflow(length)
        guard !overflow, let mappings = faultMappings.withLock({ $0 }) else { return }
        var page = address & ~0xFFF
        while page < end {
            if KernelPages.translate(VirtAddr(page)) != nil {
                let protection = mappings.mapping(containing: page).map { ProgramLoader.protection($0.protection) } ?? []
                _ = UserAddressSpace.protect(VirtAddr(page), protection)
            }
            page += 4096
        }
    }

    /// nanosleep / clock_nanosleep: sleeps for the `struct timespec` at `request` (relative,
    /// or absolute with TIMER_ABSTIME on CLOCK_MONOTONIC/CLOCK_REALTIME).
    static func sleep(_ request: UInt64, flags: UInt64, clock: UInt64) -> Int64 {
        guard clock <= 1 || clock == 7 || clock == 4 else { return -22 }
        var duration: UInt64
        switch readTimespec(request) {
        case .unreadable: return -14
        case .invalid: return -22
        case .nanoseconds(let value): duration = value
        }
        if flags & 1 != 0 {                             // TIMER_ABSTIME
            let now = clock == 0 ? ProgramClock.realTimeNanoseconds : ProgramClock.monotonicNanoseconds
            duration = duration > now ? duration - now : 0
        }
        if duration > 0 { Threads.sleep(nanoseconds: duration) }
        return 0
    }

    /// Decides a page fault of the program (the pager's resolver): the protection its mapping
    /// gives, when that allows the access.
    static func resolve(_ address: UInt64, _ write: Bool, _ execute: Bool) -> UserAddressSpace.Protection? {
        faultMappings.withLock { mappings -> UserAddressSpace.Protection? in
            guard let mapping = mappings?.mapping(containing: address), !mapping.protection.isEmpty else { return nil }
            if write && !mapping.protection.contains(.write) { return nil }
            if execute && !mapping.protection.contains(.execute) { return nil }
            return ProgramLoader.protection(mapping.protection)
        }
    }
}

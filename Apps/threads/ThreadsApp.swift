/// The threads application: many more threads than processors yielding, sleeping, sharing a
/// mutex and joining, with their results checked; then thread-related measurements.
/// Exits 0 when every check held.
import Alloc
import APIC
import Boot
import Paging
import Sched
import struct Synchronization.Atomic
import X86

public enum App: Application {
    /// When the last measured thread started (TSC).
    static let created = Atomic<UInt64>(0)
    /// The processors the movable threads ran on (bit per processor).
    static let ranOnCores = Atomic<UInt64>(0)
    /// Timer interrupts delivered through the I/O APIC.
    static let deviceInterrupts = Atomic<Int>(0)
    /// The TLB-shootdown check's hand-shake between processors 0 and 1.
    static let shootdownPhase = Atomic<Int>(0)

    public static func main(boot: BootInfo) -> Int32 {
        var failures = 0
        func check(_ condition: Bool, _ what: String) {
            if !condition { print("threads: FAILED: \(what)"); failures += 1 }
        }
        let cores = Threads.coreCount
        print("threads: \(APICModule.processorCount) processors in the ACPI MADT, \(APICModule.processorsOnline) online, \(cores) scheduling threads")
        // A thread placed on each processor reports that it runs there.
        for core in 0..<cores {
            let ranOn = Threads.spawn(core: core) { Threads.currentCore }?.join()
            check(ranOn == core, "a thread placed on processor \(core) ran on \(ranOn ?? -1)")
            if ranOn == core { print("threads: a thread placed on processor \(core) ran there") }
        }
        let count = Int(boot.arguments.value(of: "threads") ?? "") ?? 1000
        let rounds = 3

        // Many threads incrementing a shared counter under a mutex, yielding in between.
        let counter = Mutex(0)
        var handles: [ThreadHandle] = []
        for index in 0..<count {
            guard let handle = Threads.spawn(core: index % cores, {
                for _ in 0..<rounds {
                    counter.withLock { $0 += 1 }
                    Threads.yield()
                }
                return index
            }) else { check(false, "spawn \(index)"); break }
            handles.append(handle)
        }
        var sum = 0
        for handle in handles { sum += handle.join() ?? -1_000_000 }
        check(counter.withLock { $0 } == count * rounds, "counter is \(counter.withLock { $0 }), expected \(count * rounds)")
        check(sum == count * (count - 1) / 2, "join returns each thread's value")
        check(handles.first.map { $0.join() == nil } ?? true, "a thread joins only once")
        print("threads: \(count) threads on \(cores) processors x \(rounds) rounds, counter \(counter.withLock { $0 }), \(CoreScheduler.switchCount) switches")

        // Movable threads (a program's), all started on processor 0 while it is busy: the
        // scheduler moves them to idle processors as they become ready, mid-run too (each
        // yields and sleeps), and every one still finishes with the mutex's count right.
        let movesBefore = CoreScheduler.moveCount
        let moved = Mutex(0)
        var movers: [ThreadHandle] = []
        for index in 0..<200 {
            guard let handle = Threads.spawn(core: 0, movable: true, {
                for round in 0..<rounds {
                    App.ranOnCores.bitwiseOr(1 << UInt64(Threads.currentCore & 63), ordering: .relaxed)
                    moved.withLock { $0 += 1 }
                    if round == 1 { Threads.sleep(nanoseconds: 100_000) } else { Threads.yield() }
                }
                return index
            }) else { check(false, "spawn movable \(index)"); break }
            movers.append(handle)
        }
        var moversSum = 0
        for handle in movers { moversSum += handle.join() ?? -1_000_000 }
        let moves = CoreScheduler.moveCount - movesBefore
        let coresUsed = App.ranOnCores.load(ordering: .relaxed).nonzeroBitCount
        check(moved.withLock { $0 } == 200 * rounds && moversSum == 200 * 199 / 2, "movable threads: counter \(moved.withLock { $0 }), sum \(moversSum)")
        if cores > 1 { check(moves > 0 && coresUsed > 1, "movable threads started on processor 0 stayed there (\(moves) moves, \(coresUsed) processors)") }
        else { check(moves == 0, "a movable thread moved on one processor") }
        print("threads: 200 movable threads started on processor 0 ran on \(coresUsed) processors, \(moves) moves")

        // Sleeping: a thread asked to sleep 5 ms wakes after at least 5 ms and not much later.
        let ticksPerMillisecond = TimeSource.ticksPerSecond / 1000
        let start = TimeSource.now
        Threads.sleep(milliseconds: 5)
        let slept = (TimeSource.now &- start) / ticksPerMillisecond
        check(slept >= 5 && slept < 50, "slept \(slept) ms for 5 ms")
        print("threads: slept \(slept) ms when asked for 5 ms (TSC \(ticksPerMillisecond * 1000) Hz)")
        // Many short sleeps in a row, each of which can be due before its thread has finished
        // switching away (a wake-up once got lost exactly then), all end.
        let shortStart = TimeSource.now
        for _ in 0..<200 { Threads.sleep(nanoseconds: 20_000) }
        let shortHere = (TimeSource.now &- shortStart) / ticksPerMillisecond
        check(shortHere >= 4 && shortHere < 200, "200 sleeps of 20 µs took \(shortHere) ms")
        print("threads: 200 sleeps of 20 µs took \(shortHere) ms")
        // The same on every other processor: each has its own timer.
        for core in 1..<max(cores, 1) {
            let sleptThere = Threads.spawn(core: core) {
                let start = TimeSource.now
                Threads.sleep(milliseconds: 5)
                return Int((TimeSource.now &- start) / ticksPerMillisecond)
            }?.join() ?? -1
            check(sleptThere >= 5 && sleptThere < 50, "on processor \(core), slept \(sleptThere) ms for 5 ms")
            print("threads: on processor \(core), slept \(sleptThere) ms when asked for 5 ms")
            // And the short sleeps there.
            let shortSleeps = Threads.spawn(core: core) {
                let start = TimeSource.now
                for _ in 0..<200 { Threads.sleep(nanoseconds: 20_000) }
                return Int((TimeSource.now &- start) / ticksPerMillisecond)
            }?.join() ?? -1
            check(shortSleeps >= 4 && shortSleeps < 200, "on processor \(core), 200 sleeps of 20 µs took \(shortSleeps) ms")
            print("threads: on processor \(core), 200 sleeps of 20 µs took \(shortSleeps) ms")
        }

        // Priorities: a high-priority thread runs before normal ones that were ready first.
        let order = Mutex([Int]())
        let low = Threads.spawn(priority: .normal) { order.withLock { $0.append(1) }; return 0 }
        let high = Threads.spawn(priority: .high) { order.withLock { $0.append(2) }; return 0 }
        Threads.yield()
        _ = low?.join(); _ = high?.join()
        check(order.withLock { $0 } == [2, 1], "high priority first, got \(order.withLock { $0 })")

        // Preemption: a thread that spins without yielding must not starve another of its
        // priority (needs the APIC module's timer).
        if CoreScheduler.hasTimer {
            let flag = Mutex(false)
            let spinner = Threads.spawn {
                var spins = 0
                while !flag.withLock({ $0 }) { spins += 1 }
                return spins
            }
            let setter = Threads.spawn { flag.withLock { $0 = true }; return 0 }
            let spins = spinner?.join() ?? 0
            _ = setter?.join()
            check(spins > 0, "a spinning thread was preempted so another could run")
            print("threads: preemption let a second thread run after \(spins) spins")
        }

        // A device interrupt through the I/O APIC: the PIT's IRQ 0 at 1 kHz for 20 ms.
        if APICModule.routeISAInterrupt(0, vector: 0x30, handler: { _ in _ = App.deviceInterrupts.add(1, ordering: .relaxed) }) {
            ProgrammableIntervalTimer.startPeriodic(hertz: 1000)
            Threads.sleep(milliseconds: 20)
            APICModule.maskISAInterrupt(0)
            let delivered = App.deviceInterrupts.load(ordering: .relaxed)
            check(delivered >= 10 && delivered <= 40, "about 20 PIT interrupts in 20 ms through the I/O APIC, got \(delivered)")
            print("threads: the I/O APIC delivered \(delivered) PIT interrupts in 20 ms")
        } else {
            check(false, "an I/O APIC serves ISA IRQ 0")
        }

        // Semaphores and events hand work between threads.
        let ready = Semaphore(value: 0)
        let go = Event()
        let producer = Threads.spawn { go.wait(); for _ in 0..<10 { ready.signal() }; return 0 }
        go.set()
        for _ in 0..<10 { ready.wait() }
        _ = producer?.join()
        check(ready.value == 0, "semaphore drained")

        // Measurements (TSC ticks = instructions under -icount shift=0).
        let iterations = 10_000
        let y0 = TimeSource.now
        for _ in 0..<iterations { Threads.yield() }
        let y1 = TimeSource.now
        print("bench: yield_alone_instructions=\((y1 &- y0) / UInt64(iterations))")

        let partner = Threads.spawn { for _ in 0..<iterations { Threads.yield() }; return 0 }
        Threads.yield()   // let the partner start
        let p0 = TimeSource.now
        for _ in 0..<iterations { Threads.yield() }
        let p1 = TimeSource.now
        _ = partner?.join()
        // Each of our yields switches to the partner and back: two switches per iteration.
        print("bench: yield_switch_instructions=\((p1 &- p0) / UInt64(2 * iterations))")

        var total: UInt64 = 0
        let creations = 1000
        for _ in 0..<creations {
            let c0 = TimeSource.now
            let thread = Threads.spawn(priority: .high) { App.created.store(TimeSource.now, ordering: .relaxed); return 0 }
            Threads.yield()
            total &+= App.created.load(ordering: .relaxed) &- c0
            _ = thread?.join()
        }
        print("bench: thread_create_instructions=\(total / UInt64(creations))")
        check(CoreScheduler.liveThreadCount == 1, "every thread was joined (\(CoreScheduler.liveThreadCount) live)")

        // Stress: spawn and join threads in waves; after a warm-up wave (which fills the stack
        // pool), heap use and free frames must come back exactly to where they were.
        let waves = Int(boot.arguments.value(of: "waves") ?? "") ?? 10
        let perWave = 1000
        func wave() -> Bool {
            var batch: [ThreadHandle] = []
            batch.reserveCapacity(perWave)
            for index in 0..<perWave {
                guard let handle = Threads.spawn(core: index % cores, { Threads.yield(); return index }) else { return false }
                batch.append(handle)
            }
            var sum = 0
            for handle in batch { sum += handle.join() ?? 0 }
            return sum == perWave * (perWave - 1) / 2
        }
        check(wave(), "warm-up wave")
        let before = RuntimeAllocator.statistics
        var allWavesRight = true
        for _ in 1..<waves { allWavesRight = wave() && allWavesRight }
        let after = RuntimeAllocator.statistics
        check(allWavesRight, "every wave's threads ran and joined")
        check(after.heapBytesInUse == before.heapBytesInUse, "no heap leak: \(after.heapBytesInUse) vs \(before.heapBytesInUse) bytes")
        // Frames: pooled stacks may get deeper pages touched in later waves (an interrupt
        // arriving at a different depth) and the heap may map another chunk, which is use,
        // not a leak; a leak of even one frame per thread would show as thousands, so allow
        // at most one frame per 16 threads spawned after the warm-up.
        let framesUsed = before.framesFree - min(before.framesFree, after.framesFree)
        check(framesUsed <= (waves - 1) * perWave / 16, "no frame leak: \(after.framesFree) vs \(before.framesFree) free")
        print("threads: stress \(waves * perWave) threads in \(waves) waves; heap \(before.heapBytesInUse) -> \(after.heapBytesInUse) bytes, frames free \(before.framesFree) -> \(after.framesFree)")

        // A TLB shootdown: a thread on processor 1 reads a page (caching its translation) and
        // spins; processor 0 unmaps the page, flushes it everywhere and writes a marker into the
        // old frame; the thread reads again and must see the page backed anew (zero), not the
        // marker through a stale translation.
        if CoreScheduler.coreCount > 1, let region = DemandPager.reserve(bytes: 4096) {
            region.store(UInt8(0xAB), at: 0)
            let reader = Threads.spawn(core: 1) {
                let first = Int(region.load(as: UInt8.self, at: 0))
                App.shootdownPhase.store(1, ordering: .releasing)
                while App.shootdownPhase.load(ordering: .acquiring) != 2 { Processor.pause() }
                return first << 8 | Int(region.load(as: UInt8.self, at: 0))
            }
            while App.shootdownPhase.load(ordering: .acquiring) != 1 { Threads.sleep(milliseconds: 1) }
            if let pending = KernelMemory.unmap(VirtAddr(region.base)) {
                let old = pending.flush()
                old.fill(0xCD)
                App.shootdownPhase.store(2, ordering: .releasing)
                let seen = reader?.join() ?? -1
                check(seen >> 8 == 0xAB, "processor 1 read the page before (\(seen >> 8))")
                check(seen & 0xFF == 0, "after the shootdown processor 1 sees a fresh page, not the old frame (\(seen & 0xFF))")
                Frames.free(old)
                print("threads: TLB shootdown reached processor 1")
            } else {
                App.shootdownPhase.store(2, ordering: .releasing)
                check(false, "the page can be unmapped")
            }
        }

        print(failures == 0 ? "threads: all checks passed" : "threads: \(failures) checks failed")
        return failures == 0 ? 0 : 1
    }
}

/// The benchmark application: the paper's Table 3 operations (and two more) measured in the
/// guest, each averaged over many repetitions.
///
/// Under QEMU's TCG with `-icount shift=0,sleep=off` the TSC advances by one per guest
/// instruction, so every figure is guest instructions per operation (with hardware KVM, TSC
/// cycles). It prints one `bench: <name>=<value>` line per figure — the same names the Linux
/// baseline (Tools/LinuxBaseline/bench.c) prints — then a table, and exits 0.
import Alloc
import Boot
import Paging
import Sched
import Synchronization
import X86

public enum App: Application {
    /// TSC at the first instruction of the newest measured thread.
    static let firstInstruction = Atomic<UInt64>(0)

    public static func main(boot: BootInfo) -> Int32 {
        var figures: [(name: String, what: String, value: UInt64)] = []
        func record(_ name: String, _ what: String, _ value: UInt64) {
            print("bench: \(name)=\(value)")
            figures.append((name, what, value))
        }

        record("getpid", "getpid-style call (Threads.current)", getpid(iterations: 100_000))
        record("sched_yield", "yield(), no other thread ready", yieldAlone(iterations: 100_000))
        guard let creation = threadCreation(count: 1_000) else { return fail("no memory to spawn a thread") }
        record("thread_create", "thread creation to its first instruction", creation)
        guard let fault = pageFault(pages: 1_024) else { return fail("DemandPager.reserve refused 4 MiB") }
        record("page_fault", "page fault (first write to a lazy page)", fault)
        guard let heap = heapAllocateFree(rounds: 100_000) else { return fail("the heap refused 64 bytes") }
        record("heap_alloc_free_64", "heap allocate + free, 64 bytes", heap)
        record("boot_to_main", "boot: PVH entry to main", boot.bootCycles)
        record("vm_start_to_main", "boot: VM start to main", boot.mainTSC)

        print("bench: done")
        print("operation                                   instructions")
        for figure in figures {
            let value = "\(figure.value)"
            let padding = String(repeating: " ", count: max(1, 56 - figure.what.count - value.count))
            print(figure.what + padding + value)
        }
        return 0
    }

    static func fail(_ reason: String) -> Int32 {
        print("bench: FAILED: \(reason)")
        return 1
    }

    /// The libOS equivalent of `getpid()`: a plain function call that returns the running
    /// thread's identity (one GS-relative load). Summing the results keeps the loop honest.
    @inline(never)
    static func getpid(iterations: Int) -> UInt64 {
        var sum = 0
        let start = TimeStampCounter.read()
        for _ in 0..<iterations { sum &+= Threads.current.rawValue }
        let end = TimeStampCounter.read()
        if sum != iterations &* Threads.current.rawValue { print("bench: getpid changed during the loop") }
        return (end &- start) / UInt64(iterations)
    }

    /// `yield()` when nothing else is ready: it must return at once.
    @inline(never)
    static func yieldAlone(iterations: Int) -> UInt64 {
        let start = TimeStampCounter.read()
        for _ in 0..<iterations { Threads.yield() }
        return (TimeStampCounter.read() &- start) / UInt64(iterations)
    }

    /// From the call that creates a thread to that thread's first instruction (the creator
    /// yields to it at once: it has the higher priority), averaged over `count` threads.
    @inline(never)
    static func threadCreation(count: Int) -> UInt64? {
        var total: UInt64 = 0
        for _ in 0..<count {
            let start = TimeStampCounter.read()
            guard let thread = Threads.spawn(priority: .high, {
                App.firstInstruction.store(TimeStampCounter.read(), ordering: .relaxed)
                return 0
            }) else { return nil }
            Threads.yield()
            total &+= App.firstInstruction.load(ordering: .relaxed) &- start
            _ = thread.join()
        }
        return total / UInt64(count)
    }

    /// One byte written to each of `pages` untouched demand-paged pages, less the same writes
    /// once they are mapped: the cost of the fault alone.
    @inline(never)
    static func pageFault(pages: Int) -> UInt64? {
        guard let region = DemandPager.reserve(bytes: pages * 4096) else { return nil }
        let t0 = TimeStampCounter.read()
        for page in 0..<pages { region.store(UInt8(truncatingIfNeeded: page), at: page * 4096) }
        let t1 = TimeStampCounter.read()
        for page in 0..<pages { region.store(UInt8(truncatingIfNeeded: page), at: page * 4096) }
        let t2 = TimeStampCounter.read()
        return ((t1 &- t0) &- (t2 &- t1)) / UInt64(pages)
    }

    /// A 64-byte block from the kernel heap, freed at once.
    @inline(never)
    static func heapAllocateFree(rounds: Int) -> UInt64? {
        let start = TimeStampCounter.read()
        for _ in 0..<rounds {
            guard let block = Heap.allocate(size: 64) else { return nil }
            Heap.free(block)
        }
        return (TimeStampCounter.read() &- start) / UInt64(rounds)
    }
}

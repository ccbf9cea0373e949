#if hasFeature(Embedded)
import Sched

typealias DefaultPlatform = KernelWorkers

/// Workers as kernel threads: worker i is pinned to processor i; a thread's worker index is
/// the processor it runs on.
enum KernelWorkers: WorkerPlatform {
    static var processorCount: Int { Threads.coreCount }

    static func start(worker index: Int, _ body: @escaping @Sendable () -> Void) {
        guard Threads.spawn(core: index, { body(); return 0 }) != nil else {
            fatalError("Parallel: cannot start a worker thread")
        }
    }

    static func currentWorker(count: Int) -> Int { Threads.currentCore % count }

    static func relax() { Threads.yield() }

    /// Kernel stacks are 64 KiB: keep 24 KiB for the job and what it calls.
    static var roomToHelp: Bool { Threads.stackRemaining > 24 * 1024 }

    static func makeParking() -> KernelParking { KernelParking() }

    static var nanoseconds: UInt64 { TimeSource.nanoseconds(ticks: TimeSource.now) }
}

/// Idle workers block on a Sched semaphore (a waker on another processor sends an IPI).
final class KernelParking: ParkingLot {
    let permits = Semaphore(value: 0)
    func park() { permits.wait() }
    func unpark() { permits.signal() }
}
#endif

#if !hasFeature(Embedded)
import Foundation

typealias DefaultPlatform = HostWorkers

/// Workers as the host's threads (Foundation `Thread`); a thread's worker index is kept in its
/// thread dictionary (threads that are not workers use 0).
enum HostWorkers: WorkerPlatform {
    static let key = "SwiftyHermit.Parallel.worker"

    static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    static func start(worker index: Int, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            Thread.current.threadDictionary[HostWorkers.key] = index
            body()
        }
        thread.name = "Parallel worker \(index)"
        thread.start()
    }

    static func currentWorker(count: Int) -> Int {
        ((Thread.current.threadDictionary[key] as? Int) ?? 0) % count
    }

    static func relax() { sched_yield() }

    /// Host threads have stacks of 512 KiB or more; nesting is bounded by the job count.
    static var roomToHelp: Bool { true }

    static func makeParking() -> HostParking { HostParking() }

    static var nanoseconds: UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// Idle workers block on a Dispatch semaphore.
final class HostParking: ParkingLot {
    let permits = DispatchSemaphore(value: 0)
    func park() { permits.wait() }
    func unpark() { permits.signal() }
}
#endif

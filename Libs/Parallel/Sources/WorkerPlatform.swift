/// What the pool needs from the threads underneath it: kernel threads in an image, the
/// host's threads on the host.
///
/// Contract: `start` runs `body` on a new thread (on processor `index` where threads can be
/// placed) and returns; `currentWorker` is some index in `0..<count` for any thread (the pool
/// stays correct whichever it returns; it is only faster when threads on one processor agree);
/// `relax` gives the processor to other ready threads; a `Parking` blocks threads until
/// another signals it, and a signal sent before the wait is not lost.
protocol WorkerPlatform: SendableMetatype {
    /// Processors available for workers.
    static var processorCount: Int { get }
    /// Starts worker `index` (1...) running `body`.
    static func start(worker index: Int, _ body: @escaping @Sendable () -> Void)
    /// The worker index of the calling thread, less than `count`.
    static func currentWorker(count: Int) -> Int
    /// Lets other threads run.
    static func relax()
    /// Whether the calling thread's stack has room to run another job on top of what it is
    /// doing (a thread waiting in `join` runs other jobs meanwhile, nested on its stack).
    static var roomToHelp: Bool { get }
    /// A counting semaphore that idle workers block on.
    associatedtype Parking: ParkingLot
    static func makeParking() -> Parking
    /// Monotonic nanoseconds.
    static var nanoseconds: UInt64 { get }
}

/// Where idle workers block: `park` waits for a permit, `unpark` adds one (waking a parked
/// thread if there is one).
protocol ParkingLot: AnyObject, Sendable {
    func park()
    func unpark()
}

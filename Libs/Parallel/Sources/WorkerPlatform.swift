/// What the pool needs from the threads underneath it: kernel threads in an image, the
/// host's threads on the host.
///
/// Contract: `start` runs `body` on a new thread (on processor `index` where threads can be
/// placed) and returns; `currentWorker` is some index in `0..<count` for any thread (the pool
/// stays correct whichever it returns; it is only faster when threads on one processor agree);
/// `relax` gives the processor to other ready threads; `idle` waits a little longer.
protocol WorkerPlatform: SendableMetatype {
    /// Processors available for workers.
    static var processorCount: Int { get }
    /// Starts worker `index` (1...) running `body`.
    static func start(worker index: Int, _ body: @escaping @Sendable () -> Void)
    /// The worker index of the calling thread, less than `count`.
    static func currentWorker(count: Int) -> Int
    /// Lets other threads run.
    static func relax()
    /// Waits a short while (nothing to do).
    static func idle()
    /// Monotonic nanoseconds.
    static var nanoseconds: UInt64 { get }
}

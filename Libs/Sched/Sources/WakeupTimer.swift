/// A one-shot timer the scheduler programs for its next event: the earliest sleeper's
/// wake-up, or the end of the running thread's time slice when others of its priority wait.
///
/// Contract: after ``arm(deadline:)`` the timer interrupts once when the TSC reaches
/// `deadline` (or at once if it already has), and its interrupt handler calls
/// ``CoreScheduler/timerInterrupt()``; arming again replaces the earlier deadline; 0 disarms.
/// It never fires early.
public protocol WakeupTimer: AnyObject, Sendable {
    func arm(deadline: UInt64)
}

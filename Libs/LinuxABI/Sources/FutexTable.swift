/// The policy half of `futex(2)`: who waits on which word with which bitset, and whom a wake
/// or requeue releases, in Linux's order (first come, first woken). The mechanism checks the
/// word's value and puts threads to sleep and wakes them; this decides who.
///
/// Guarantees: a waiter waits at most once; `wake` releases, in the order they came, at most
/// `count` waiters on the word whose bitset meets the mask (a count of 0 or less wakes one, as
/// Linux's loop does); `requeue` wakes that many and moves at most `requeueCount` more to the
/// other word, keeping their order; `cancel` tells a waiter whose timeout fired whether it was
/// still waiting (false: a wake took it first, and it must report success). Words must be
/// 4-byte aligned and masks non-zero (`EINVAL`).
public struct FutexTable<Waiter: Equatable & Sendable>: Sendable {
    struct Entry: Sendable {
        var address: UInt64
        var waiter: Waiter
        var bitset: UInt32
    }

    var entries: [Entry] = []

    public init() {}

    /// How many wait in all, and on `address`.
    public var count: Int { entries.count }
    public func waiting(on address: UInt64) -> Int { entries.filter { $0.address == address }.count }

    /// Queues `waiter` on `address` (the caller has checked the word still holds the expected value).
    public mutating func wait(_ waiter: Waiter, on address: UInt64, bitset: UInt32 = .max) throws(LinuxError) {
        guard address % 4 == 0, bitset != 0 else { throw .invalidArgument }
        guard !entries.contains(where: { $0.waiter == waiter }) else { throw .invalidArgument }
        entries.append(Entry(address: address, waiter: waiter, bitset: bitset))
    }

    /// Whether `waiter` is queued (no wake has taken it yet).
    public func isWaiting(_ waiter: Waiter) -> Bool { entries.contains { $0.waiter == waiter } }

    /// Takes `waiter` out (its timeout fired, or a signal): whether it was still waiting.
    public mutating func cancel(_ waiter: Waiter) -> Bool {
        guard let index = entries.firstIndex(where: { $0.waiter == waiter }) else { return false }
        entries.remove(at: index)
        return true
    }

    /// `FUTEX_WAKE` / `FUTEX_WAKE_BITSET`: the waiters to wake, in order.
    public mutating func wake(_ address: UInt64, count: Int32, bitset: UInt32 = .max) throws(LinuxError) -> [Waiter] {
        guard address % 4 == 0, bitset != 0 else { throw .invalidArgument }
        return take(address, limit: count <= 0 ? 1 : Int(count), bitset: bitset)
    }

    /// `FUTEX_REQUEUE` / `FUTEX_CMP_REQUEUE` (the caller compared the word): wakes up to
    /// `count` on `address` and moves up to `requeueCount` of the rest to `target`; returns
    /// those woken and how many moved.
    public mutating func requeue(_ address: UInt64, to target: UInt64, count: Int32, requeueCount: Int32) throws(LinuxError) -> (woken: [Waiter], moved: Int) {
        guard address % 4 == 0, target % 4 == 0, count >= 0, requeueCount >= 0 else { throw .invalidArgument }
        let woken = count == 0 ? [] : take(address, limit: Int(count), bitset: .max)
        var moved = 0
        for index in entries.indices where entries[index].address == address && moved < Int(requeueCount) {
            entries[index].address = target
            moved += 1
        }
        return (woken, moved)
    }

    mutating func take(_ address: UInt64, limit: Int, bitset: UInt32) -> [Waiter] {
        var woken: [Waiter] = []
        var kept: [Entry] = []
        for entry in entries {
            if woken.count < limit && entry.address == address && entry.bitset & bitset != 0 { woken.append(entry.waiter) } else { kept.append(entry) }
        }
        entries = kept
        return woken
    }
}

/// A `futex` call's operation word: the command, whether it is process-private, and which
/// clock an absolute timeout uses.
public struct FutexOperation: Sendable, Equatable {
    public enum Command: Int32, Sendable {
        case wait = 0, wake = 1, requeue = 3, compareRequeue = 4, wakeOperation = 5, lockPI = 6, unlockPI = 7, tryLockPI = 8
        case waitBitset = 9, wakeBitset = 10
    }

    public let command: Command
    public let isPrivate: Bool
    public let realTimeClock: Bool

    /// Decodes `word`: unknown commands and flags, and those this layer does not serve
    /// (WAKE_OP, the PI requeues, LOCK_PI2), are `ENOSYS`, as Linux answers for a command it does not know;
    /// `FUTEX_CLOCK_REALTIME` only goes with the waits (as since Linux 4.5).
    public init(_ word: Int32) throws(LinuxError) {
        let privateFlag: Int32 = 128, clockFlag: Int32 = 256
        guard word & ~(127 | privateFlag | clockFlag) == 0 else { throw .notImplemented }
        guard let command = Command(rawValue: word & 127), command != .wakeOperation else { throw .notImplemented }
        // FUTEX_CLOCK_REALTIME only means something to the waits with absolute timeouts.
        if word & clockFlag != 0 && command != .waitBitset && command != .wait { throw .notImplemented }
        self.command = command
        isPrivate = word & privateFlag != 0
        realTimeClock = word & clockFlag != 0
    }
}

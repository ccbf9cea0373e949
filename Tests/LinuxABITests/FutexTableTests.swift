import Testing
import LinuxABI

/// Futex wait queues as glibc's mutexes, condition variables and `pthread_join` use them.
@Suite("Futex wait queues")
struct FutexTableTests {
    @Test func wakesAreFirstComeFirstWokenAndCounted() throws {
        var table = FutexTable<Int>()
        for thread in 1...5 { try table.wait(thread, on: 0x1000) }
        try table.wait(9, on: 0x2000)
        #expect(try table.wake(0x1000, count: 2) == [1, 2])
        #expect(try table.wake(0x1000, count: 0) == [3], "a count of 0 wakes one, as Linux's loop does")
        #expect(try table.wake(0x1000, count: Int32.max) == [4, 5], "INT_MAX: all (pthread_cond_broadcast)")
        #expect(try table.wake(0x1000, count: 1) == [] && table.waiting(on: 0x2000) == 1, "other words untouched")
    }

    @Test func bitsetsChooseWhoWakes() throws {
        var table = FutexTable<Int>()
        try table.wait(1, on: 0x1000, bitset: 0b01)
        try table.wait(2, on: 0x1000, bitset: 0b10)
        try table.wait(3, on: 0x1000)
        #expect(try table.wake(0x1000, count: 10, bitset: 0b10) == [2, 3])
        #expect(throws: LinuxError.invalidArgument) { try table.wait(4, on: 0x1000, bitset: 0) }
        #expect(throws: LinuxError.invalidArgument) { try table.wake(0x1000, count: 1, bitset: 0) }
        #expect(throws: LinuxError.invalidArgument) { try table.wait(4, on: 0x1002) }
        #expect(throws: LinuxError.invalidArgument) { try table.wait(1, on: 0x3000) }   // already waiting
    }

    /// A timeout that fires after a wake has taken the waiter must not report a timeout.
    @Test func aCancelledWaitKnowsWhetherAWakeCameFirst() throws {
        var table = FutexTable<Int>()
        try table.wait(1, on: 0x1000)
        try table.wait(2, on: 0x1000)
        #expect(try table.wake(0x1000, count: 1) == [1])
        #expect(table.cancel(1) == false, "woken first: the wait succeeded")
        #expect(table.cancel(2) == true, "still waiting: ETIMEDOUT")
        #expect(table.count == 0)
    }

    /// pthread_cond_broadcast's old path: wake one, move the rest to the mutex, in order.
    @Test func requeueWakesSomeAndMovesTheRestInOrder() throws {
        var table = FutexTable<Int>()
        for thread in 1...4 { try table.wait(thread, on: 0x1000) }
        let result = try table.requeue(0x1000, to: 0x2000, count: 1, requeueCount: 2)
        #expect(result.woken == [1] && result.moved == 2)
        #expect(table.waiting(on: 0x1000) == 1 && table.waiting(on: 0x2000) == 2)
        #expect(try table.wake(0x2000, count: 5) == [2, 3])
        #expect(throws: LinuxError.invalidArgument) { try table.requeue(0x1000, to: 0x2001, count: 1, requeueCount: 1) }
    }

    @Test func operationWordsDecodeAsLinuxsDo() throws {
        #expect(try FutexOperation(128 | 0) == FutexOperation(128), "FUTEX_WAIT_PRIVATE")
        let waitBitset = try FutexOperation(9 | 128 | 256)
        #expect(waitBitset.command == .waitBitset && waitBitset.isPrivate && waitBitset.realTimeClock)
        #expect(try FutexOperation(1).command == .wake && !FutexOperation(1).isPrivate)
        #expect(try FutexOperation(6 | 128).command == .lockPI)                    // FUTEX_LOCK_PI_PRIVATE (libdispatch's locks)
        #expect(try FutexOperation(7).command == .unlockPI && FutexOperation(8).command == .tryLockPI)
        #expect(throws: LinuxError.notImplemented) { try FutexOperation(6 | 256) }   // CLOCK_REALTIME: LOCK_PI2's, not LOCK_PI's
        #expect(throws: LinuxError.notImplemented) { try FutexOperation(13) }     // FUTEX_LOCK_PI2
        #expect(throws: LinuxError.notImplemented) { try FutexOperation(5) }      // FUTEX_WAKE_OP
        #expect(throws: LinuxError.notImplemented) { try FutexOperation(1 | 256) }   // CLOCK_REALTIME with a wake
        #expect(throws: LinuxError.notImplemented) { try FutexOperation(1 << 20) }
    }
}

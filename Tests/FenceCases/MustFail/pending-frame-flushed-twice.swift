// expected-error: 'pending' consumed more than once
// An unmapped frame comes back once, after the TLB shootdown.
import Alloc
import Boot

func twice(_ pending: consuming PendingFrame) {
    Frames.free(pending.flush())
    Frames.free(pending.flush())
}

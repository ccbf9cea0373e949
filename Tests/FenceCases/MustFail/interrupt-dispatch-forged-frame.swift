// expected-error: 'dispatch' is inaccessible due to 'internal' protection level
// A made-up interrupt (a fake TLB-shootdown acknowledgement, say) must not reach handlers.
import X86

func fake() {
    var frame = InterruptFrame()
    frame.vector = 0xFD
    InterruptDispatch.dispatch(frame)
}

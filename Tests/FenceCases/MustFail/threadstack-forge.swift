// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(unsafeBase:size:)'
// A stack token over memory someone else uses would let a new thread run on it.
import X86

func forge() -> ExecutionContext {
    ExecutionContext(stack: ThreadStack(unsafeBase: 0x20_0000, size: 0x1_0000), argument: 0)
}

// expected-error: 'stack' is inaccessible due to 'internal' protection level
// The code that prepared a context cannot reach its stack afterwards (its return address).
import X86

func rewriteReturnAddress(_ context: ExecutionContext) -> ThreadStack? {
    context.stack.take()
}

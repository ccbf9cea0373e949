// expected-error: 'stack' consumed more than once
// One stack, two contexts: the second would overwrite the first one's frames.
import X86

func twice(_ stack: consuming ThreadStack) -> (ExecutionContext, ExecutionContext) {
    (ExecutionContext(stack: stack, argument: 0), ExecutionContext(stack: stack, argument: 1))
}

// The sound uses: a context from an owned stack, its stack back once retired, a read-only
// look at an interrupt frame, stacks from Boot's pool.
import Boot
import X86

func prepare(_ stacks: ThreadStacks) -> ExecutionContext? {
    guard let stack = stacks.take() else { return nil }
    let context = ExecutionContext(stack: stack, argument: 7)
    if let back = context.retire() { stacks.give(back) }
    return context
}

func handle() -> Bool {
    InterruptDispatch.register(vector: 0x81) { frame in _ = frame.rip }
}

func take(_ kernel: inout KernelResources) -> ExecutionContext? { kernel.takeBootContext() }

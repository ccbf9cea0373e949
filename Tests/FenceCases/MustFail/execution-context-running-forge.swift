// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(runningOn:)'
// Claiming that the running code is on some stack is Boot's business.
import X86

func adopt(_ stack: consuming ThreadStack) -> ExecutionContext {
    ExecutionContext(runningOn: stack)
}

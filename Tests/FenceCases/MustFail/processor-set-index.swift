// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe static method 'setIndex'
// Two processors with one index would share the scheduler's per-processor state.
import X86

func pretend() { Processor.setIndex(0) }

// expected-error: capture of 'counter' with non-Sendable type 'Counter' in a '@Sendable' closure
// The processor entry runs on every application processor: it may capture only Sendable values.
import Boot
import X86

final class Counter { var value = 0 }

func hook(_ counter: Counter) {
    ApplicationProcessors.setEntry { _, _ in
        counter.value += 1
        Processor.stop()
    }
}

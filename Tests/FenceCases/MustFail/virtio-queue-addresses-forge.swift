// expected-error: initializer is inaccessible due to 'internal' protection level
// The queue-address registers are reached only through the writer the fence makes.
import Boot
import X86

func forge(_ window: MMIOWindow) -> VirtioQueueAddresses {
    VirtioQueueAddresses(window: window)
}

// expected-error: 'seal' is inaccessible due to 'internal' protection level
// Sealing the early heap hands its tail to the frame table: Boot does it, once.
import Boot

func seal() { _ = EarlyHeap.seal() }

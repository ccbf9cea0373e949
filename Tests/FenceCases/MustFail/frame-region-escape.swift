// expected-error: 'memory' is inaccessible due to 'internal' protection level
// A frame's bytes are reached through the token, never through a region that outlives it.
import Boot
import X86

func keep(_ frame: borrowing Frame) -> MemoryRegion {
    frame.memory
}

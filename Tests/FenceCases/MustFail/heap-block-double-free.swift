// expected-error: 'block' consumed more than once
// A heap block's token is consumed by the free.
import Alloc
import Boot

func twice(_ block: consuming HeapBlock) {
    Heap.free(block)
    Heap.free(block)
}

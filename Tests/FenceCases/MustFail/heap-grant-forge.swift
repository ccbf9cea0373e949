// expected-error: initializer is inaccessible due to 'internal' protection level
// A grant over memory the fence never checked would let the heap hand out anything.
import Boot
import X86

func forge(_ metadata: MemoryRegion) -> HeapGrant {
    HeapGrant(metadata: metadata, dataBase: 0x10_0000, dataPages: 16)
}

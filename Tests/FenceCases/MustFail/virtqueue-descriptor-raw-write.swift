// expected-error: 'memory' is inaccessible due to 'internal' protection level
// A descriptor written by hand could name any physical address: only the table's typed set does.
import Boot

func aim(_ table: VirtqueueDescriptorTable) {
    table.memory.write(UInt64(0x10_0000), at: 0)
}

// expected-error: instance method 'load(as:at:)' requires that 'Bool' conform to 'PlainData'
// A byte of memory anyone may have written is no valid Bool unless it is 0 or 1.
import X86

func flag(in region: MemoryRegion) -> Bool {
    region.load(as: Bool.self, at: 0)
}

import Alloc
import Boot
import X86

/// The kernel's frame allocator (Alloc's ``Frames``) as the source of Boot's page-table frames.
final class KernelTableFrames: KernelPages.TableFrames {
    func take() -> Frame? { Frames.allocate() }
    func give(_ frame: consuming Frame) { Frames.free(frame) }
}

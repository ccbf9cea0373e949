// expected-error: 'frames' consumed more than once
// A released boot module's frames are one token: they join the free frames once.
import Alloc
import Boot

func adoptTwice(_ kernel: inout KernelResources) {
    if let frames = kernel.releaseModule(0) {
        Frames.adopt(frames)
        Frames.adopt(frames)
    }
}

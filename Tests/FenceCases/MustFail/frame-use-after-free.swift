// expected-error: 'frame' used after consume
// After the free the frame may be a page table: its token is gone with it.
import Alloc
import Boot

func scribble(_ frame: consuming Frame) {
    Frames.free(frame)
    frame.fill(0xFF)
}

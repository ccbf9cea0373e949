// expected-error: 'frame' consumed more than once
// Freeing a frame consumes its token, so a double free cannot be written.
import Alloc
import Boot

func twice(_ frame: consuming Frame) {
    Frames.free(frame)
    Frames.free(frame)
}

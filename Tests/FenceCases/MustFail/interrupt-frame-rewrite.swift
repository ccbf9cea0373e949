// expected-error: cannot assign to property: 'frame' is a 'let' constant
// A handler must not redirect where the interrupted code resumes.
import X86

func hijack() {
    InterruptDispatch.register(vector: 0x80) { frame in frame.rip = 0x1000 }
}

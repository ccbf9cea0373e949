// expected-error: 'flush' consumed more than once
// A flush token settles its invalidation once: it cannot be copied or used twice.
import X86

func twice(_ flush: consuming TLBFlush) {
    flush.flush()
    flush.ignore()
}

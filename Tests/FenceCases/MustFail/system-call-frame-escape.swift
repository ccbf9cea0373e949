// expected-error: implicit conversion to 'SystemCallFrame?' is consuming
// A handler's frame cannot be kept past the call: the view is non-copyable and arrives inout,
// so it can be neither copied nor moved out.
import X86

nonisolated(unsafe) var kept: SystemCallFrame? = nil

func install() {
    _ = UserMode.setSystemCallHandler { frame in unsafe kept = frame }
}

/// The crash application: fails on purpose, so tests can check the panic report.
///
/// The kernel command line picks the failure: `crash=page-fault` (default) reads memory
/// that is not mapped, `crash=bounds` indexes past the end of an array, `crash=fatal` calls
/// `fatalError`, `crash=out-of-memory` allocates until the heap is exhausted,
/// `crash=write-text` writes to the kernel's code, `crash=stack-overflow` recurses until the
/// boot stack runs into its guard page (the last two need Paging in the image).
import Boot
import Synchronization
import X86

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        let kind = boot.arguments.value(of: "crash") ?? "page-fault"
        print("crash: about to fail with \(kind)")
        switch kind {
        case "page-fault":
            FaultInjection.readUnmappedMemory()
        case "bounds":
            let numbers = [1, 2, 3]
            print("crash: element \(numbers[numbers.count + boot.commandLine.utf8.count])")
        case "fatal":
            fatalError("the crash app asked for a fatal error")
        case "write-text":
            FaultInjection.rewriteKernelText()
        case "stack-overflow":
            print("crash: recursion reached depth \(recurse(1))")
        case "out-of-memory":
            var blocks: [[UInt8]] = []
            while true { blocks.append([UInt8](repeating: 1, count: 64 * 1024)) }
        default:
            print("crash: unknown failure '\(kind)'")
            return 2
        }
        print("crash: still running, which is wrong")
        return 1
    }

    /// The deepest recursion reached (an observable side effect, so the optimiser keeps every
    /// frame).
    static let deepest = Atomic<Int>(0)

    /// Recurses until the stack runs out.
    @inline(never)
    static func recurse(_ depth: Int) -> Int {
        deepest.store(depth, ordering: .relaxed)
        let below = recurse(depth + 1)
        deepest.store(below, ordering: .relaxed)   // work after the call: no tail call
        return below &+ depth
    }
}

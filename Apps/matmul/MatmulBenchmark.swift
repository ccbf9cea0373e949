import Boot
import Parallel

/// The matmul benchmark, the same code in the unikernel and on the host: checks the parallel
/// products against the naive one on a small size, then times them on the large sizes.
///
/// Output, one line per result: `matmul: check n=<n> ok|FAILED`, then
/// `matmul: n=<n> algorithm=<blocked|strassen> workers=<w> ns=<time> checksum=<sum>`.
public enum MatmulBenchmark {
    /// The test inputs: small integers, so every product is exact.
    public static func inputs(_ n: Int) -> (Matrix, Matrix) {
        (Matrix(n) { i, j in Double((i * 7 + j * 3) % 10) }, Matrix(n) { i, j in Double((i * 5 + j) % 10) - 4 })
    }

    /// Runs the check on `checkSize` and the timings on `sizes`, printing with `print`;
    /// returns whether every result was right.
    public static func run(checkSize: Int, sizes: [Int], print: (String) -> Void) -> Bool {
        var correct = true
        if checkSize > 0 {
            let (a, b) = inputs(checkSize)
            let reference = Multiply.naive(a, b)
            let ok = Multiply.parallelBlocked(a, b) == reference && Multiply.strassen(a, b, cutoff: 8) == reference
                && Multiply.blocked(a, b) == reference
            print("matmul: check n=\(checkSize) \(ok ? "ok" : "FAILED")")
            correct = correct && ok
        }
        for n in sizes {
            let (a, b) = inputs(n)
            let t0 = Parallel.nanoseconds
            let blocked = Multiply.parallelBlocked(a, b)
            let t1 = Parallel.nanoseconds
            let strassen = Multiply.strassen(a, b)
            let t2 = Parallel.nanoseconds
            let agree = blocked == strassen
            print("matmul: n=\(n) algorithm=blocked workers=\(Parallel.workerCount) ns=\(t1 &- t0) checksum=\(blocked.checksum)")
            print("matmul: n=\(n) algorithm=strassen workers=\(Parallel.workerCount) ns=\(t2 &- t1) checksum=\(strassen.checksum)")
            if !agree { print("matmul: n=\(n) FAILED: blocked and Strassen products differ") }
            print("matmul: \(Parallel.stolenJobs) jobs stolen so far")
            correct = correct && agree
        }
        return correct
    }

    /// The app's entry on both sides: `check=<n>` (0 skips the check, default 64) and
    /// `sizes=<n>,<n>...` (default 256) from `arguments`; prints the worker count and every
    /// result. Returns whether every product was right.
    public static func main(_ arguments: KernelCommandLine, print: (String) -> Void) -> Bool {
        let check = numbers("check", in: arguments)?.first ?? 64
        let sizes = numbers("sizes", in: arguments) ?? [256]
        print("matmul: \(Parallel.workerCount) workers")
        return run(checkSize: check, sizes: sizes, print: print)
    }

    /// The comma-separated numbers of `key=1,2,3`, or nil when `key` is absent.
    public static func numbers(_ key: String, in arguments: KernelCommandLine) -> [Int]? {
        arguments.value(of: key).map { $0.split(separator: ",").compactMap { Int($0) } }
}
}

/// The matmul application: the parallel blocked and Strassen products on every processor the
/// kernel brought up. Command line: `check=<n>` (0 skips the check), `sizes=<n>,<n>...`.
/// Exits 0 when every product was right.
import Boot
import Parallel

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        let words = boot.commandLine.split(separator: " ").map(String.init)
        let check = MatmulBenchmark.sizes("check", in: words)?.first ?? 64
        let sizes = MatmulBenchmark.sizes("sizes", in: words) ?? [256]
        print("matmul: \(Parallel.workerCount) workers")
        let ok = MatmulBenchmark.run(checkSize: check, sizes: sizes) { print($0) }
        return ok ? 0 : 1
    }
}

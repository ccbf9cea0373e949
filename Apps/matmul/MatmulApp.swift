/// The matmul application: the parallel blocked and Strassen products on every processor the
/// kernel brought up. Command line: `check=<n>` (0 skips the check), `sizes=<n>,<n>...`.
/// Exits 0 when every product was right.
import Boot

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        MatmulBenchmark.main(boot.arguments) { print($0) } ? 0 : 1
    }
}

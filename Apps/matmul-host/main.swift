// The matmul benchmark built for the host: the same source as the unikernel's app.
// Usage: matmul-host [threads=<n>] [check=<n>] [sizes=<n>,<n>...]
import Foundation
import MatmulApp
import Parallel

let words = Array(CommandLine.arguments.dropFirst())
if let threads = MatmulBenchmark.sizes("threads", in: words)?.first { Parallel.setWorkerCount(threads) }
let check = MatmulBenchmark.sizes("check", in: words)?.first ?? 64
let sizes = MatmulBenchmark.sizes("sizes", in: words) ?? [256]
print("matmul: \(Parallel.workerCount) workers")
exit(MatmulBenchmark.run(checkSize: check, sizes: sizes) { print($0) } ? 0 : 1)

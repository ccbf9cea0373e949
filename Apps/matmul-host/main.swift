// The matmul benchmark built for the host: the same source as the unikernel's app.
// Usage: matmul-host [threads=<n>] [check=<n>] [sizes=<n>,<n>...]
import Boot
import Foundation
import MatmulApp
import Parallel

let arguments = KernelCommandLine(CommandLine.arguments.dropFirst().joined(separator: " "))
if let threads = MatmulBenchmark.numbers("threads", in: arguments)?.first { Parallel.setWorkerCount(threads) }
exit(MatmulBenchmark.main(arguments) { print($0) } ? 0 : 1)

import Foundation
import HermitKit

/// `hermit bench matmul`: the matmul image with 1 and 2 vCPUs (multi-threaded TCG, or KVM
/// where the host has it) and the host build of the same source with 1 and 2 threads; prints
/// the median time of `runs` runs of each, the speed-ups and the unikernel/host ratios.
func runMatmulBenchmark(root: URL, accelerator: Accelerator, sizes: [Int], runs: Int, json: Bool) throws(HermitError) -> Int32 {
    let toolchain = try Toolchain.locate()
    let builder = ImageBuilder(root: root, toolchain: toolchain)
    let image = try builder.build(try builder.loadConfig("matmul"), log: log)
    let runner = QEMURunner(qemu: try QEMURunner.locateQEMU(), accelerator: accelerator, multiThreaded: true)
    let arguments = "check=0 sizes=" + sizes.map(String.init).joined(separator: ",")

    log("building the host build (swift build -c release --product matmul-host)")
    let hostBuild = try Shell.run(toolchain.swift, ["build", "--package-path", root.path, "-c", "release", "--product", "matmul-host"])
    guard hostBuild.status == 0 else { throw HermitError("the host build of matmul failed:\n\(hostBuild.output)") }
    let host = root.appendingPathComponent(".build/release/matmul-host").path

    var unikernel: [Int: [MatmulFigures]] = [:]
    var native: [Int: [MatmulFigures]] = [:]
    for parallelism in [1, 2] {
        for run in 1...runs {
            var target = BootTarget(image)
            target.cpus = parallelism
            target.commandLine = arguments
            log("unikernel, \(parallelism) vCPU(s), run \(run) of \(runs)")
            let result = try runner.run(target, echo: false)
            let figures = MatmulFigures(parsing: result.output)
            guard result.outcome == .exited(0), !figures.failed, !figures.timings.isEmpty else {
                throw HermitError("the matmul image failed (\(result.outcome)):\n\(result.output)")
            }
            unikernel[parallelism, default: []].append(figures)

            log("host, \(parallelism) thread(s), run \(run) of \(runs)")
            let hostRun = try Shell.run(host, ["threads=\(parallelism)"] + arguments.split(separator: " ").map(String.init))
            let hostFigures = MatmulFigures(parsing: hostRun.output)
            guard hostRun.status == 0, !hostFigures.failed, !hostFigures.timings.isEmpty else {
                throw HermitError("the host matmul failed:\n\(hostRun.output)")
            }
            native[parallelism, default: []].append(hostFigures)
        }
    }
    let comparison = MatmulComparison(sizes: sizes, unikernel: unikernel, host: native, runs: runs,
                                      setting: runner.accelerator == .kvm ? "KVM" : "TCG, thread=multi")
    print(json ? comparison.json() : comparison.table())
    return 0
}

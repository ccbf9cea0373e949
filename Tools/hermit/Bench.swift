import Foundation
import HermitKit

/// `hermit bench`: boots the bench image and the Linux baseline under the same QEMU options
/// and prints the comparison. Returns the exit status: 0 when both sides ran, 1 when the
/// Linux side could not (its reason is printed; the SwiftyHermit side still is).
func runBenchmarks(root: URL, accelerator: Accelerator, json: Bool) throws(HermitError) -> Int32 {
    let toolchain = try Toolchain.locate()
    let builder = ImageBuilder(root: root, toolchain: toolchain)
    let image = try builder.build(try builder.loadConfig("bench"), log: log)
    let runner = QEMURunner(qemu: try QEMURunner.locateQEMU(), accelerator: accelerator)
    let unit = runner.instructionCounting ? "guest instructions (TCG, -icount shift=0)" : "TSC cycles (\(accelerator.rawValue))"

    log("booting \(image.path.lastPathComponent) (\(image.size) bytes)")
    let ours = try runner.run(image, echo: false)
    let hermitFigures = BenchmarkFigures(parsing: ours.output)
    guard ours.outcome == .exited(0), hermitFigures.complete else {
        throw HermitError("the bench image did not finish (\(ours.outcome)):\n\(ours.output)")
    }

    var linuxFigures: BenchmarkFigures? = nil
    var linuxFailure: String? = nil
    do {
        let baseline = LinuxBaseline(root: root)
        let kernel = try baseline.kernel(log: log)
        let disk = try baseline.initialRAMDisk()
        let target = baseline.target(kernel: kernel, initialRAMDisk: disk, like: image, instructionCounting: runner.instructionCounting)
        log("booting Linux (\(kernel.lastPathComponent)) with the same QEMU options; this takes a while under TCG")
        let theirs = try runner.run(target, echo: false)
        let figures = BenchmarkFigures(parsing: theirs.output)
        if theirs.outcome == .exited(0) && figures.complete {
            linuxFigures = figures
        } else {
            linuxFailure = "the Linux guest did not finish (\(theirs.outcome)); its console:\n\(theirs.output)"
        }
    } catch {
        linuxFailure = error.description
    }
    var comparison = BenchmarkComparison(swiftyHermit: hermitFigures, linux: linuxFigures, linuxFailure: linuxFailure, unit: unit)
    // The Linux guest's own static binary, unmodified, through SwiftyHermit's Linux layer.
    do {
        _ = try LinuxBaseline(root: root).initialRAMDisk()
        let program = root.appendingPathComponent("images/linux-baseline/init").path
        var config = try ExecutableRun.config(for: program, memory: "\(image.config.memoryKiB)K", cpus: image.config.cpus, arguments: [])
        config.name = "bench-linux-binary"
        let linuxImage = try builder.build(config, log: log)
        log("booting the same static binary on SwiftyHermit (\(linuxImage.path.lastPathComponent) with \(linuxImage.initrd?.lastPathComponent ?? "no initrd"))")
        let run = try runner.run(linuxImage, echo: false)
        let figures = BenchmarkFigures(parsing: run.output)
        if run.outcome == .exited(0) && figures.complete {
            comparison.sameBinary = figures
        } else {
            comparison.sameBinaryFailure = "the program did not finish (\(run.outcome)):\n\(run.output.suffix(2000))"
        }
    } catch {
        comparison.sameBinaryFailure = error.description
    }
    print(json ? comparison.json() : comparison.table())
    if let linuxFailure { log("the Linux side failed: \(linuxFailure.split(separator: "\n").first ?? "")") }
    return linuxFailure == nil ? 0 : 1
}

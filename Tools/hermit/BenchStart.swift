import Foundation
import HermitKit

/// `hermit bench start`: an ordinary static Swift program (Tools/LinuxBaseline/start.swift),
/// the same binary as the Linux guest's `/init` and on SwiftyHermit, under the same QEMU
/// options: TSC ticks from the VM's start to its first statement, and the least memory each
/// runs it in (found by bisection to `step` MiB). Returns 0 when both sides ran.
func runStartBenchmark(root: URL, accelerator: Accelerator, json: Bool) throws(HermitError) -> Int32 {
    let toolchain = try Toolchain.locate()
    let builder = ImageBuilder(root: root, toolchain: toolchain)
    let baseline = LinuxBaseline(root: root)
    let program = try baseline.swiftStartProgram(toolchain: toolchain)
    let size = ((try? FileManager.default.attributesOfItem(atPath: program.path))?[.size] as? Int) ?? 0
    log("built \(program.lastPathComponent): a static Swift program of \(size) bytes")
    var config = try ExecutableRun.config(for: program.path, memory: "512M", cpus: 1, arguments: [])
    config.name = "bench-swift-start"
    let image = try builder.build(config, log: log)
    let runner = QEMURunner(qemu: try QEMURunner.locateQEMU(), accelerator: accelerator)
    let kernel = try baseline.kernel(log: log)
    let folder = root.appendingPathComponent("images/swift-start")
    guard let contents = FileManager.default.contents(atPath: program.path) else { throw HermitError("cannot read \(program.path)") }
    let disk = try baseline.initialRAMDisk(init: [UInt8](contents), in: folder)
    let ours = BootTarget(image)
    let theirs = baseline.target(kernel: kernel, initialRAMDisk: disk, like: image, instructionCounting: runner.instructionCounting)

    /// The program's start figure when it ran to its end in `memoryMiB` (nil: it did not, and
    /// `failures` keeps the console's end).
    var failures: [String: String] = [:]
    func boot(_ target: BootTarget, memoryMiB: Int) throws(HermitError) -> UInt64? {
        var sized = target
        sized.memoryKiB = memoryMiB * 1024
        sized.timeoutSeconds = 300
        let run = try runner.run(sized, echo: false)
        guard run.outcome == .exited(0), run.output.contains("bench: hello from Swift") else {
            failures[target.name] = "\(run.outcome) in \(memoryMiB) MiB:\n\(run.output.suffix(1500))"
            return nil
        }
        return BenchmarkFigures(parsing: run.output)["vm_start_to_main"]
    }

    /// The least memory (MiB, to `step`) in which `target` runs the program, between `low`
    /// (assumed too little unless it works) and `high` (must work).
    func floor(_ target: BootTarget, low: Int, high: Int, step: Int) throws(HermitError) -> Int? {
        guard try boot(target, memoryMiB: high) != nil else { return nil }
        if try boot(target, memoryMiB: low) != nil { return low }
        var (failing, working) = (low, high)
        while working - failing > step {
            let middle = (failing + working) / 2 / step * step
            guard middle > failing, middle < working else { break }
            log("\(target.name): \(middle) MiB …")
            if try boot(target, memoryMiB: middle) != nil { working = middle } else { failing = middle }
        }
        return working
    }

    log("booting it on SwiftyHermit")
    let ourStart = try boot(ours, memoryMiB: 512)
    log("booting it as the Linux guest's /init (\(kernel.lastPathComponent)); this takes a while under TCG")
    let theirStart = try boot(theirs, memoryMiB: 512)
    for (name, failure) in failures { log("\(name) did not run the program: \(failure)") }
    log("finding the least memory each runs it in")
    let ourFloor = try floor(ours, low: 8, high: 512, step: 2)
    let theirFloor = try floor(theirs, low: 16, high: 512, step: 4)

    let unit = runner.instructionCounting ? "TSC ticks (TCG, -icount shift=0: one per guest instruction)" : "TSC cycles (\(accelerator.rawValue))"
    func text(_ value: Int?) -> String { value.map { "\($0) MiB" } ?? "did not run" }
    func text(_ value: UInt64?) -> String { value.map(String.init) ?? "did not run" }
    if json {
        let document: [String: String] = ["unit": unit, "program_bytes": String(size), "vm_start_to_main_linux": text(theirStart),
                                          "vm_start_to_main_swiftyhermit": text(ourStart), "memory_floor_linux": text(theirFloor),
                                          "memory_floor_swiftyhermit": text(ourFloor)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: (try? encoder.encode(document)) ?? Data(), as: UTF8.self))
    } else {
        print("A static Swift program (\(size) bytes, swiftc -static-executable -O), the same binary in both guests; \(unit)")
        print(column("", 28, left: true) + column("Linux", 16) + column("SwiftyHermit", 16) + column("Linux/SH", 10))
        let ratio = theirStart.flatMap { linux in ourStart.map { String(format: "%.0f×", Double(linux) / Double(max($0, 1))) } } ?? "-"
        print(column("VM start to main", 28, left: true) + column(text(theirStart), 16) + column(text(ourStart), 16) + column(ratio, 10))
        let floorRatio = theirFloor.flatMap { linux in ourFloor.map { String(format: "%.1f×", Double(linux) / Double(max($0, 1))) } } ?? "-"
        print(column("least memory it runs in", 28, left: true) + column(text(theirFloor), 16) + column(text(ourFloor), 16) + column(floorRatio, 10))
    }
    return ourStart != nil && theirStart != nil ? 0 : 1
}

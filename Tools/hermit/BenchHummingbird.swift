import Foundation
import HermitKit

/// `hermit bench hummingbird`: the unmodified Hummingbird server of Examples/hummingbird-hello
/// (one static binary) on SwiftyHermit and as the `/init`-started server of the Linux guest
/// `hermit bench` boots (Debian's kernel, its virtio-net modules loaded from the RAM disk),
/// and the native httpd app on SwiftyHermit, under the same QEMU options (q35, TCG, the same
/// vCPUs and memory, virtio-net on user networking) and the same `wrk -t2 -c32`: requests/s,
/// latency percentiles, the time from QEMU's start to the first answered request, and the
/// memory in use at the end.
func runHummingbirdBenchmark(root: URL, accelerator: Accelerator, seconds: Int, cpus: Int, json: Bool, profile: Bool = false) throws(HermitError) -> Int32 {
    let wrk = try requireTool("wrk", package: "wrk")
    let curl = try requireTool("curl", package: "curl")
    guard FileManager.default.isExecutableFile(atPath: "/bin/busybox") else { throw HermitError("the Linux guest needs /bin/busybox (apt-get install -y busybox-static)") }
    let toolchain = try Toolchain.locate()
    let builder = ImageBuilder(root: root, toolchain: toolchain)
    let example = root.appendingPathComponent("Examples/hummingbird-hello")
    log("building Examples/hummingbird-hello (swift build -c release --static-swift-stdlib -Xswiftc -static-executable)")
    let built = try Shell.run(toolchain.swift, ["build", "-c", "release", "--static-swift-stdlib", "-Xswiftc", "-static-executable"]
                                                + (profile ? [] : ["-Xlinker", "-s"]) + ["--package-path", example.path], timeout: 3600)
    guard built.status == 0 else { throw HermitError("building the example failed:\n\(built.output)") }
    let binary = example.appendingPathComponent(".build/release/HummingbirdHello")
    let size = ((try? FileManager.default.attributesOfItem(atPath: binary.path))?[.size] as? Int) ?? 0
    let memory = "1024M"
    let runner = QEMURunner(qemu: try QEMURunner.locateQEMU(), accelerator: accelerator, instructionCounting: false, multiThreaded: cpus > 1)
    let wrkArguments = ["--latency", "-t2", "-c32", "-d\(seconds)s"]

    struct Row {
        var setup: String
        var report: WrkReport? = nil
        var firstAnswer: Double? = nil
        var memoryKiB: Int? = nil
        var note = ""
    }

    /// Boots `target`, times QEMU's start to the first answer of `/`, runs wrk, then asks for
    /// `/shutdown` and returns the row with the console's output.
    func measure(_ name: String, _ target: BootTarget, port: UInt16, shutdown: String) throws(HermitError) -> (Row, String) {
        var row = Row(setup: name)
        let started = Date()
        let guest = try runner.launch(target)
        defer { _ = guest.finish(timeout: 0) }
        let url = "http://127.0.0.1:\(port)/"
        while Date().timeIntervalSince(started) < 600 && guest.isRunning {
            let probe = try Shell.run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2", url], timeout: 10)
            if probe.output == "200" { row.firstAnswer = Date().timeIntervalSince(started); break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard row.firstAnswer != nil else { row.note = "never answered: \(guest.output.suffix(800))"; return (row, guest.output) }
        log("\(name): first answer after \(String(format: "%.2f", row.firstAnswer!)) s; wrk \(wrkArguments.joined(separator: " "))")
        let result = try Shell.run(wrk, wrkArguments + [url], timeout: TimeInterval(seconds + 60))
        row.report = WrkReport(parsing: result.output)
        if row.report == nil { row.note = "wrk failed: \(result.output)" }
        Thread.sleep(forTimeInterval: 2)   // a last memory sample after the load
        _ = try Shell.run(curl, ["-s", "-m", "10", "http://127.0.0.1:\(port)\(shutdown)"], timeout: 20)
        let run = guest.finish(timeout: 60)
        return (row, run.output)
    }

    /// The last number after `prefix` in `output` (KiB).
    func lastFigure(_ output: String, after prefix: String) -> Int? {
        output.split(whereSeparator: \.isNewline).reversed().lazy.compactMap { line -> Int? in
            guard let range = line.range(of: prefix) else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }.first
    }

    var rows: [Row] = []
    // 1. SwiftyHermit, the binary through the Linux layer.
    let port = UInt16.random(in: 20000...40000)
    var config = try ExecutableRun.config(for: binary.path, memory: memory, cpus: cpus, arguments: ["8080"])
    ExecutableRun.addNetwork(&config, forwards: ["\(port):8080"])
    config.name = "bench-hummingbird"
    config.commandLine = profile ? "memory_report profile" : "memory_report"
    config.timeoutSeconds = 1200
    let image = try builder.build(config, log: log)
    log("Hummingbird on SwiftyHermit (\(cpus) vCPU, \(memory))")
    var (ours, ourOutput) = try measure("Hummingbird on SwiftyHermit", BootTarget(image), port: port, shutdown: "/shutdown")
    ours.memoryKiB = lastFigure(ourOutput, after: "hermit: memory in use ")
    rows.append(ours)
    if profile {
        let saved = image.path.deletingLastPathComponent().appendingPathComponent("profile-output.txt")
        try? ourOutput.write(to: saved, atomically: true, encoding: .utf8)
        log("the guest's output: \(saved.path)")
        guard let samples = SampleProfile(parsing: ourOutput) else { throw HermitError("the guest printed no profile:\n\(ourOutput.suffix(1500))") }
        print("where SwiftyHermit's processors were (a sample per millisecond per processor):")
        for line in samples.table(toolchain: toolchain, kernel: image.debugPath, program: binary, top: 60) { print("  " + line) }
        return 0
    }

    // 2. The same binary in the Linux guest.
    let baseline = LinuxBaseline(root: root)
    let kernel = try baseline.kernel(log: log)
    let modules = try baseline.networkModules(log: log)
    let disk = try baseline.networkRAMDisk(server: binary, arguments: ["8080"], modules: modules, busybox: URL(fileURLWithPath: "/bin/busybox"),
                                           in: root.appendingPathComponent("images/linux-hummingbird"))
    var linux = baseline.target(kernel: kernel, initialRAMDisk: disk, like: image, instructionCounting: false)
    linux.forwards = ["\(port):8080"]
    log("Hummingbird in the Linux guest (\(kernel.lastPathComponent), \(cpus) vCPU, \(memory))")
    var (theirs, theirOutput) = try measure("Hummingbird in the Linux guest", linux, port: port, shutdown: "/shutdown")
    theirs.memoryKiB = lastFigure(theirOutput, after: "linux: memory used ")
    if theirs.firstAnswer == nil { theirs.note = "never answered: \(theirOutput.suffix(1500))" }
    rows.append(theirs)

    // 3. The native httpd app on SwiftyHermit, the same machine.
    var httpd = try builder.loadConfig("httpd")
    httpd.cpus = cpus
    httpd.memoryKiB = image.config.memoryKiB
    let native = try builder.build(httpd, log: log)
    var nativeTarget = BootTarget(native)
    nativeTarget.forwards = ["\(port):80"]
    log("the native httpd app on SwiftyHermit")
    rows.append(try measure("native httpd on SwiftyHermit", nativeTarget, port: port, shutdown: "/shutdown").0)

    let linuxRate = theirs.report?.requestsPerSecond
    func inSeconds(_ value: Double?) -> String { value.map { String(format: "%.2f s", $0) } ?? "-" }
    func mebibytes(_ value: Int?) -> String { value.map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "-" }
    if json {
        var lines = ["["]
        for (index, row) in rows.enumerated() {
            let rate = row.report.map { String(format: "%.1f", $0.requestsPerSecond) } ?? "null"
            let latency = [50, 90, 99].map { "\"p\($0)\": \"\(row.report?.latency[$0] ?? "")\"" }.joined(separator: ", ")
            lines.append("  {\"setup\": \"\(row.setup)\", \"requests_per_second\": \(rate), \(latency), \"first_answer_seconds\": \(row.firstAnswer.map { String(format: "%.2f", $0) } ?? "null"), \"memory_kib\": \(row.memoryKiB.map(String.init) ?? "null")}" + (index + 1 < rows.count ? "," : ""))
        }
        lines.append("]")
        print(lines.joined(separator: "\n"))
    } else {
        print("wrk \(wrkArguments.joined(separator: " ")); Hummingbird binary \(size) bytes; q35, \(accelerator == .kvm ? "KVM" : "TCG"), \(cpus) vCPU, \(memory), virtio-net on QEMU user networking")
        print(column("setup", 32, left: true) + column("requests/s", 12) + column("vs Linux", 10) + column("p50", 10) + column("p90", 10) + column("p99", 10)
              + column("start→answer", 14) + column("memory at end", 15))
        for row in rows {
            guard let report = row.report else { print(column(row.setup, 32, left: true) + "  " + row.note); continue }
            let ratio = linuxRate.map { String(format: "%.2f×", report.requestsPerSecond / max($0, 0.001)) } ?? "-"
            print(column(row.setup, 32, left: true) + column(String(format: "%.0f", report.requestsPerSecond), 12) + column(ratio, 10)
                  + column(report.latency[50] ?? "-", 10) + column(report.latency[90] ?? "-", 10) + column(report.latency[99] ?? "-", 10)
                  + column(inSeconds(row.firstAnswer), 14) + column(mebibytes(row.memoryKiB), 15)
                  + (report.socketErrors + report.non2xx > 0 ? "  (\(report.socketErrors) socket errors, \(report.non2xx) non-2xx)" : ""))
        }
        print("memory at end: SwiftyHermit's RAM in use when the program ends (frames taken, the initrd module, the program area);")
        print("the Linux guest's MemTotal − MemFree in its last sample (each second) before the shutdown request.")
    }
    return rows.allSatisfy { $0.report != nil } ? 0 : 1
}

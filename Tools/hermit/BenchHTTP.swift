import Foundation
import HermitKit

/// `hermit bench httpd`: `wrk -t2 -c32 -d10s` against the httpd image over QEMU's user
/// network and over a tap device in a private network namespace (vhost when the host has
/// /dev/vhost-net), and against nginx on the host serving the same page, in one run.
func runHTTPBenchmark(root: URL, accelerator: Accelerator, seconds: Int, json: Bool) throws(HermitError) -> Int32 {
    let wrk = try requireTool("wrk", package: "wrk")
    let curl = try requireTool("curl", package: "curl")
    let toolchain = try Toolchain.locate()
    let builder = ImageBuilder(root: root, toolchain: toolchain)
    let image = try builder.build(try builder.loadConfig("httpd"), log: log)
    // Wall-clock throughput: no instruction counting.
    let runner = QEMURunner(qemu: try QEMURunner.locateQEMU(), accelerator: accelerator, instructionCounting: false)
    let wrkArguments = ["-t2", "-c32", "-d\(seconds)s"]
    var rows: [(setup: String, report: WrkReport?, note: String)] = []
    var page = ""

    // 1. QEMU user networking (slirp), forwarded from 127.0.0.1.
    do {
        let port = UInt16.random(in: 20000...40000)
        var target = BootTarget(image)
        target.forwards = ["\(port):80"]
        log("httpd over QEMU user networking on 127.0.0.1:\(port)")
        let guest = try runner.launch(target)
        defer { _ = guest.finish(timeout: 0) }
        guard guest.waitForOutput("httpd: listening", timeout: 180) else { throw HermitError("httpd did not start:\n\(guest.output)") }
        page = try Shell.run(curl, ["-s", "-m", "30", "http://127.0.0.1:\(port)/"], timeout: 60).output
        let result = try Shell.run(wrk, wrkArguments + ["http://127.0.0.1:\(port)/"], timeout: TimeInterval(seconds + 60))
        rows.append(("SwiftyHermit httpd, QEMU user net", WrkReport(parsing: result.output), ""))
    }

    // 2. A tap device in a network namespace of its own.
    let namespace = "hermit-bench-\(getpid())"
    if geteuid() == 0, FileManager.default.fileExists(atPath: "/dev/net/tun"), let ip = Shell.which("ip") {
        let vhost = FileManager.default.fileExists(atPath: "/dev/vhost-net")
        let setup = [["netns", "add", namespace],
                     ["netns", "exec", namespace, "ip", "tuntap", "add", "dev", "tap0", "mode", "tap"],
                     ["netns", "exec", namespace, "ip", "addr", "add", "10.1.0.1/24", "dev", "tap0"],
                     ["netns", "exec", namespace, "ip", "link", "set", "tap0", "up"],
                     ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"]]
        defer { _ = try? Shell.run(ip, ["netns", "del", namespace]) }
        var ready = true
        for step in setup where ready {
            let result = try Shell.run(ip, step)
            if result.status != 0 { ready = false; rows.append(("SwiftyHermit httpd, tap", nil, "tap setup failed: \(result.output)")) }
        }
        if ready {
            var target = BootTarget(image)
            target.forwards = nil
            target.commandLine = "ip=10.1.0.2/24 gateway=10.1.0.1 port=80"
            target.extraArguments += ["-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no" + (vhost ? ",vhost=on" : ""),
                                      "-device", "virtio-net-pci,netdev=net0,disable-legacy=on"]
            log("httpd over a tap device in namespace \(namespace)\(vhost ? " with vhost" : " (no /dev/vhost-net: without vhost)")")
            let guest = try runner.launch(target, inNamespace: namespace)
            defer { _ = guest.finish(timeout: 0) }
            if guest.waitForOutput("httpd: listening", timeout: 180) {
                let result = try Shell.run(ip, ["netns", "exec", namespace, wrk] + wrkArguments + ["http://10.1.0.2/"], timeout: TimeInterval(seconds + 60))
                rows.append(("SwiftyHermit httpd, tap" + (vhost ? " + vhost" : ""), WrkReport(parsing: result.output), ""))
            } else {
                rows.append(("SwiftyHermit httpd, tap", nil, "httpd did not start: \(guest.output)"))
            }
        }
    } else {
        rows.append(("SwiftyHermit httpd, tap", nil, "skipped: needs root, /dev/net/tun and iproute2"))
    }

    // 3. nginx on the host, one worker, the same page.
    if let nginx = Shell.which("nginx") ?? (try? requireTool("nginx", package: "nginx-light")) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hermit-nginx-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = UInt16.random(in: 40001...50000)
        let configuration = """
            worker_processes 1; daemon off; pid \(folder.path)/nginx.pid; error_log \(folder.path)/error.log;
            events { worker_connections 1024; }
            http { access_log off; server { listen 127.0.0.1:\(port); root \(folder.path); keepalive_requests 1000000; } }
            """
        do {
            try configuration.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
            try page.write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        } catch {
            throw HermitError("cannot write the nginx configuration: \(error.localizedDescription)")
        }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: nginx)
        server.arguments = ["-c", folder.appendingPathComponent("nginx.conf").path, "-p", folder.path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        do { try server.run() } catch { throw HermitError("cannot start nginx: \(error.localizedDescription)") }
        defer { server.terminate(); server.waitUntilExit() }
        Thread.sleep(forTimeInterval: 1)
        log("nginx on the host, 127.0.0.1:\(port), one worker")
        let result = try Shell.run(wrk, wrkArguments + ["http://127.0.0.1:\(port)/"], timeout: TimeInterval(seconds + 60))
        rows.append(("nginx on the host (1 worker)", WrkReport(parsing: result.output), ""))
    } else {
        rows.append(("nginx on the host", nil, "skipped: nginx not installed"))
    }

    let nginxRate = rows.last.flatMap { $0.setup.hasPrefix("nginx") ? $0.report?.requestsPerSecond : nil }
    if json {
        var lines = ["["]
        for (index, row) in rows.enumerated() {
            let rate = row.report.map { String(format: "%.1f", $0.requestsPerSecond) } ?? "null"
            lines.append("  {\"setup\": \"\(row.setup)\", \"requests_per_second\": \(rate), \"errors\": \(row.report.map { $0.socketErrors + $0.non2xx } ?? 0)}" + (index + 1 < rows.count ? "," : ""))
        }
        lines.append("]")
        print(lines.joined(separator: "\n"))
    } else {
        print("wrk \(wrkArguments.joined(separator: " ")), page of \(page.utf8.count) bytes; httpd image \(image.size) bytes; \(accelerator == .kvm ? "KVM" : "TCG, one vCPU")")
        print("setup                                   requests/s    errors   vs nginx")
        for row in rows {
            guard let report = row.report else { print(row.setup.padding(toLength: 40, withPad: " ", startingAt: 0) + row.note); continue }
            let ratio = nginxRate.map { String(format: "%.3f", report.requestsPerSecond / $0) } ?? "-"
            print(row.setup.padding(toLength: 40, withPad: " ", startingAt: 0)
                  + String(format: "%10.0f", report.requestsPerSecond) + String(format: "%10d", report.socketErrors + report.non2xx)
                  + "   " + ratio)
        }
    }
    return rows.contains { $0.report == nil && !$0.note.hasPrefix("skipped") } ? 1 : 0
}

/// The path of `tool`, installing Debian's `package` if it is missing and we are root.
func requireTool(_ tool: String, package: String) throws(HermitError) -> String {
    if let path = Shell.which(tool) { return path }
    guard geteuid() == 0, let apt = Shell.which("apt-get") else {
        throw HermitError("'\(tool)' is needed: apt-get install -y \(package)")
    }
    log("installing \(package) for \(tool)")
    var installed = try Shell.run(apt, ["install", "-y", "-q", package], environment: ["DEBIAN_FRONTEND": "noninteractive"])
    if installed.status != 0 {
        // A fresh machine's package lists may be empty or stale: update them once, then retry.
        _ = try Shell.run(apt, ["update", "-q"], environment: ["DEBIAN_FRONTEND": "noninteractive"])
        installed = try Shell.run(apt, ["install", "-y", "-q", package], environment: ["DEBIAN_FRONTEND": "noninteractive"])
    }
    guard installed.status == 0, let path = Shell.which(tool) else { throw HermitError("could not install '\(tool)' (apt-get install -y \(package))") }
    return path
}

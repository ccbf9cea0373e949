import Foundation
import Testing
import HermitKit

/// Unmodified static Linux servers on SwiftyHermit's network card (virtio-net on QEMU's user
/// network, the address by DHCP before `main`), checked by real clients from the host: a C
/// server (epoll, non-blocking sockets) whose log and answers must equal the same binary's on
/// the host, and the Hummingbird 2 server of Examples/hummingbird-hello under curl and
/// Python clients, on one and two processors.
extension ImageTests {
    /// Boots `executable` with a network card and `forwards`, as `hermit run --forward` does.
    func launchServer(_ executable: URL, arguments: [String], forwards: [String], cpus: Int) throws -> (RunningGuest, BuiltImage) {
        var config = try ExecutableRun.config(for: executable.path, memory: nil, cpus: cpus, arguments: arguments)
        ExecutableRun.addNetwork(&config, forwards: forwards)
        config.timeoutSeconds = 600
        let image = try builder.build(config)
        return (try wallClock.launch(BootTarget(image)), image)
    }

    static func remove(_ image: BuiltImage) {
        try? FileManager.default.removeItem(at: image.path)
        try? FileManager.default.removeItem(at: image.debugPath)
        if let initrd = image.initrd { try? FileManager.default.removeItem(at: initrd) }
    }

    /// The program's lines of a guest's output (the kernel's and the card's taken out).
    static func programLines(_ output: String) -> String {
        output.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("hermit: ") && !$0.hasPrefix("virtio-net: ") && !$0.hasPrefix("qemu-system") }
            .joined(separator: "\n")
    }

    /// A TCP port on 127.0.0.1 that nothing listens on now.
    static func freePort() -> UInt16 {
        for _ in 0..<100 {
            let port = UInt16.random(in: 20000...50000)
            let probe = try? Shell.run("/usr/bin/env", ["python3", "-c", "import socket,sys;s=socket.socket();sys.exit(s.connect_ex(('127.0.0.1',\(port))) == 0)"], timeout: 10)
            if probe?.status == 0 { return port }
        }
        return 39999
    }

    @Test(arguments: [("gcc", 1), ("gcc", 2), ("musl-gcc", 1)])
    func anEpollServerBehavesAsOnTheHostForTheSameClient(compiler: String, cpus: Int) throws {
        let python = try #require(Shell.which("python3"), "python3 is needed for the client script")
        let directory = try ImageTests.scratch("netserver-\(compiler)-\(cpus)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let program = try ImageTests.compile("netserver.c", with: "/usr/bin/\(compiler)", flags: ["-static", "-O2"], into: directory, name: "netserver")
        let client = ImageTests.root.appendingPathComponent("Tests/ImageTests/Scripts/net-client.py").path
        let refused = ImageTests.freePort()

        // On the host.
        let hostPort = ImageTests.freePort()
        let server = Process()
        server.executableURL = program
        server.arguments = ["\(hostPort)", "127.0.0.1", "\(refused)"]
        let log = Pipe()
        server.standardOutput = log
        try server.run()
        let hostClient = try Shell.run(python, [client, "127.0.0.1", "\(hostPort)", "\(hostPort)"], timeout: 120)
        server.waitUntilExit()
        let hostLog = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(server.terminationStatus == 0 && hostClient.status == 0, "host: \(hostLog)\n\(hostClient.output)")

        // On SwiftyHermit: the same binary, the refused port reached through slirp's gateway.
        let tcp = ImageTests.freePort(), udp = ImageTests.freePort()
        let (guest, image) = try launchServer(program, arguments: ["7070", "10.0.2.2", "\(refused)"],
                                              forwards: ["\(tcp):7070", "udp:\(udp):7070"], cpus: cpus)
        defer { ImageTests.remove(image) }
        defer { _ = guest.finish(timeout: 1) }
        #expect(guest.waitForOutput("listening on 7070", timeout: 180), "\(guest.output)")
        #expect(guest.output.contains("hermit: network 10.0.2.15/24 by DHCP, gateway 10.0.2.2"), "\(guest.output)")
        let guestClient = try Shell.run(python, [client, "127.0.0.1", "\(tcp)", "\(udp)"], timeout: 300)
        let run = guest.finish(timeout: 60)
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(guestClient.output == hostClient.output, "host:\n\(hostClient.output)\nSwiftyHermit:\n\(guestClient.output)")
        // The server's log, line by line (each names its connection; under TCG a reset may be
        // seen after the next connection arrives, so the order across connections may differ).
        let guestLog = ImageTests.programLines(run.output).replacingOccurrences(of: "listening on 7070", with: "listening on \(hostPort)")
        func lines(_ text: String) -> [Substring] { text.split(separator: "\n").sorted() }
        #expect(lines(guestLog) == lines(hostLog), "host:\n\(hostLog)\nSwiftyHermit:\n\(run.output)")
    }
}

import Foundation
import Testing
import HermitKit

/// The unmodified Hummingbird 2 server of Examples/hummingbird-hello, built the ordinary way
/// for Linux (`swift build -c release --static-swift-stdlib -Xswiftc -static-executable`), on
/// SwiftyHermit with one and two processors, under real clients: curl (sequential, keep-alive,
/// sixteen in parallel), a JSON round trip, a 1 MiB answer, a client that resets mid-answer,
/// and 200 connections held open while others are served.
extension ImageTests {
    /// The example's package, and the command that builds it.
    static let example = root.appendingPathComponent("Examples/hummingbird-hello")
    static let exampleBuild = ["build", "-c", "release", "--static-swift-stdlib", "-Xswiftc", "-static-executable", "-Xlinker", "-s",
                               "--package-path", example.path]

    /// Starts building the example in the background the first time an image test starts, so
    /// that its minutes overlap the other image tests (QEMU keeps one processor busy); the
    /// test that needs it runs the same build, which waits for this one's lock and then finds
    /// everything built.
    static let exampleBuildStarted: Bool = {
        guard let swift = Shell.which("swift") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: swift)
        process.arguments = exampleBuild
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return (try? process.run()) != nil
    }()

    /// Builds the example (at most 30 minutes); its binary.
    static func buildExample() throws -> URL {
        let swift = try #require(Shell.which("swift"), "swift is needed to build the example")
        let result = try Shell.run(swift, exampleBuild, timeout: 1800)
        guard result.status == 0 else { throw HermitError("building Examples/hummingbird-hello failed:\n\(result.output)") }
        return example.appendingPathComponent(".build/release/HummingbirdHello")
    }

    @Test(arguments: [1, 2])
    func theUnmodifiedHummingbirdServerServesRealClients(cpus: Int) throws {
        let curl = try #require(Shell.which("curl"), "curl is needed (apt-get install -y curl)")
        let python = try #require(Shell.which("python3"), "python3 is needed for the held and reset connections")
        let binary = try ImageTests.buildExample()
        let port = ImageTests.freePort()
        let (guest, image) = try launchServer(binary, arguments: ["8080"], forwards: ["\(port):8080"], cpus: cpus)
        defer { ImageTests.remove(image) }
        defer { _ = guest.finish(timeout: 1) }
        #expect(guest.waitForOutput("Server started and listening on 0.0.0.0:8080", timeout: 300), "\(guest.output)")
        let base = "http://127.0.0.1:\(port)"
        func fetch(_ arguments: [String]) throws -> String {
            try Shell.run(curl, ["-s", "-m", "60"] + arguments, timeout: 90).output
        }
        // Sequential: the same 162-byte page as the native httpd app.
        let page = try fetch(["\(base)/"])
        #expect(page.utf8.count == 162 && page.contains("Hello from SwiftyHermit"), "\(page)")
        #expect(try fetch(["\(base)/health"]) == "ok")
        #expect(try fetch(["-o", "/dev/null", "-w", "%{http_code}", "\(base)/missing"]) == "404")
        // Keep-alive: three requests, one connection.
        let verbose = try fetch(["-v", "\(base)/health", "\(base)/health", "\(base)/"])
        #expect(verbose.components(separatedBy: "Re-using existing connection").count == 3, "\(verbose)")
        // JSON through Codable both ways.
        let json = try fetch(["-H", "Content-Type: application/json", "-d", #"{"name":"Ada","count":41,"tags":["a","b","c"]}"#, "\(base)/json"])
        #expect(json.contains(#""name":"hello, Ada""#) && json.contains(#""count":42"#) && json.contains(#""tags":["c","b","a"]"#), "\(json)")
        // A 1 MiB answer arrives whole and right.
        let big = try Shell.run("/bin/sh", ["-c", "\(curl) -s -m 120 \(base)/bytes/1048576 | sha256sum"], timeout: 150).output
        let expected = try Shell.run("/usr/bin/env", ["python3", "-c", "import hashlib;print(hashlib.sha256(bytes(97+i%26 for i in range(1048576))).hexdigest())"], timeout: 30).output
        #expect(big.hasPrefix(expected.trimmingCharacters(in: .whitespacesAndNewlines)), "\(big) vs \(expected)")
        // Sixteen clients at once.
        let parallel = ["-Z", "--no-progress-meter", "--parallel-immediate", "--parallel-max", "16", "-w", "%{http_code}\\n"]
            + (0..<16).flatMap { _ in ["-o", "/dev/null", "\(base)/bytes/65536"] }
        let results = try fetch(parallel)
        #expect(results.split(separator: "\n").filter { $0 == "200" }.count == 16, "\(results)")
        // A client that resets in the middle of a 16 MiB answer, then 200 connections held
        // open (half a request each) while curl is served; the server answers throughout. The
        // connections are opened 5 ms apart: QEMU's user network listens for forwarded ones
        // with a backlog of 1, so back-to-back connects overflow the host's queue and wait for
        // its one-second SYN retransmission, whatever the guest does.
        let script = """
            import socket, struct, subprocess, sys, time
            s = socket.create_connection(('127.0.0.1', \(port)), timeout=60)
            s.sendall(b'GET /bytes/16777216 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
            got = 0
            while got < 100000:
                got += len(s.recv(65536))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
            held = []
            for _ in range(200):
                c = socket.create_connection(('127.0.0.1', \(port)), timeout=60)
                c.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n')
                held.append(c)
                time.sleep(0.005)
            page = subprocess.run(['\(curl)', '-s', '-m', '60', '\(base)/'], capture_output=True).stdout
            print('while held:', len(page))
            for c in held:
                c.sendall(b'\\r\\n')
            answered = sum(1 for c in held if c.recv(4096).startswith(b'HTTP/1.1 200'))
            print('held ones answered:', answered)
            """
        let clients = try Shell.run(python, ["-c", script], timeout: 600)
        #expect(clients.output.contains("while held: 162") && clients.output.contains("held ones answered: 200"), "\(clients.output)")
        #expect(try fetch(["\(base)/health"]) == "ok")
        #expect(try fetch(["\(base)/shutdown"]) == "bye")
        let run = guest.finish(timeout: 60)
        #expect(run.outcome == .exited(0), "\(run.output)")
    }
}

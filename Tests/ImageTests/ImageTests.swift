import Foundation
import Testing
import HermitKit

/// Builds real images with the image builder and boots them in QEMU (TCG unless the host has
/// hardware KVM), asserting on their serial output and exit status.
@Suite("Images booted in QEMU", .serialized)
struct ImageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let builder: ImageBuilder
    let runner: QEMURunner

    init() throws {
        builder = ImageBuilder(root: ImageTests.root, toolchain: try Toolchain.locate())
        runner = QEMURunner(qemu: try QEMURunner.locateQEMU(), accelerator: Accelerator.detect())
        _ = ImageTests.exampleBuildStarted
    }

    /// httpd's `/stats` page (`key=value` lines) as numbers.
    static func figures(_ text: String) -> [String: Int] {
        var figures: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=")
            if parts.count == 2, let value = Int(parts[1]) { figures[String(parts[0])] = value }
        }
        return figures
    }

    func boot(_ name: String, commandLine: String? = nil) throws -> (image: BuiltImage, run: QEMURunner.Run) {
        var image = try builder.build(try builder.loadConfig(name))
        if let commandLine { image.config.commandLine = commandLine }
        return (image, try runner.run(image, echo: false))
    }

    @Test func helloBootsPrintsItsReportAndExitsZero() throws {
        let (image, run) = try boot("hello")
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(run.output.contains("Hello from SwiftyHermit!"))
        #expect(run.output.contains("usable RAM"))
        // The VM's RAM above 1 MiB, exactly as the config sized it, reaches the app's memory map.
        let end = String(UInt64(image.config.memoryKiB) * 1024, radix: 16)
        #expect(run.output.contains("0x0000000000100000 - 0x" + String(repeating: "0", count: 16 - end.count) + end + " usable"))
        #expect(run.output.contains("command line: greeting=hello"))
        let bootLine = run.output.split(whereSeparator: \.isNewline).first { $0.hasPrefix("boot: ") }
        let cycles = bootLine.flatMap { Int($0.split(separator: " ")[1]) }
        #expect((cycles ?? 0) > 0, "boot line: \(String(describing: bootLine))")
        #expect(image.size > 0 && image.size < 1 << 20)
    }

    /// The Linux layer's modules (ELF, CPIO, LinuxABI) build in Embedded Swift for the kernel,
    /// not only for the host tests, and an image that links them still boots.
    @Test func theLinuxLayerBuildsForTheKernel() throws {
        var config = try builder.loadConfig("hello")
        config.name = "hello-linux-layer"
        config.modules += ["ELF", "CPIO", "Net", "LinuxABI"]
        let image = try builder.build(config)
        defer { try? FileManager.default.removeItem(at: image.path); try? FileManager.default.removeItem(at: image.debugPath) }
        let run = try runner.run(image, echo: false)
        #expect(run.outcome == .exited(0), "\(run.output)")
    }

    /// QEMU's `-initrd` reaches the kernel as a PVH boot module: hello names its size and
    /// place (the frame allocator leaves it alone).
    @Test func anInitrdArrivesAsABootModule() throws {
        let image = try builder.build(try builder.loadConfig("hello"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hermit-initrd-\(getpid())")
        try Data((0..<12_345).map { UInt8(truncatingIfNeeded: $0) }).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        var target = BootTarget(image)
        target.initialRAMDisk = file
        let run = try runner.run(target, echo: false)
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(run.output.contains("module 0: 12345 bytes at 0x"), "\(run.output)")
    }

    /// A command line of 10,000 bytes of spaces, equals signs, quotes and multi-byte UTF-8 (the
    /// limit is 4 KiB): the kernel boots with its first 4 KiB, in the image with only the early
    /// heap. It used to exhaust the small boot arena and panic.
    @Test func anyCommandLineBootsHowLongOrStrangeItIs() throws {
        var generator = SystemRandomNumberGenerator()
        let characters = Array("ab=é€ \t=\\\"'xyz;|&\u{a0}\u{2028}")
        let noise = String((0..<10_000).map { _ in characters.randomElement(using: &generator)! })
        let (_, run) = try boot("hello", commandLine: "greeting=hello " + noise)
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(run.output.contains("command line: greeting=hello "), "\(run.output)")
    }

    @Test func aPageFaultProducesAFullPanicReport() throws {
        let (_, run) = try boot("crash", commandLine: "crash=page-fault")
        #expect(run.outcome == .panicked, "\(run.output)")
        for expected in ["*** KERNEL PANIC: CPU exception page fault (#PF), vector 14",
                         "reason: access to unmapped memory outside any reserved region",
                         "read from a non-present page, kernel", "cr2 0x0000008000000000",
                         "rip 0x", "rsp 0x", "rax 0x", "r15 0x", "backtrace:", "  #1 0x", "*** end of panic report"] {
            #expect(run.output.contains(expected), "missing '\(expected)' in:\n\(run.output)")
        }
    }

    @Test func writingToKernelTextPanicsNamingTheCause() throws {
        let (_, run) = try boot("crash", commandLine: "crash=write-text")
        #expect(run.outcome == .panicked, "\(run.output)")
        #expect(run.output.contains("error code 0x0000000000000003 (write to a read-only page, kernel)"), "\(run.output)")
        #expect(run.output.contains("reason: write to read-only memory"))
    }

    @Test func aStackOverflowHitsTheGuardPageAndPanicsInsteadOfCorruptingMemory() throws {
        let (_, run) = try boot("crash", commandLine: "crash=stack-overflow")
        #expect(run.outcome == .panicked, "\(run.output)")
        // Page faults run on their own interrupt stack, so the overflow arrives as a #PF on
        // the guard page (not a double fault) and the report names the address.
        #expect(run.output.contains("CPU exception page fault (#PF), vector 14"), "\(run.output)")
        #expect(run.output.contains("write to a non-present page, kernel"))
        #expect(run.output.contains("reason: kernel stack overflow: the access hit a stack's guard page"))
    }

    /// Without Paging the kernel runs on Boot's early identity map, whose boot-stack guard
    /// pages are unmapped too: an overflow there is a report, not corruption.
    @Test func withoutPagingAStackOverflowStillHitsTheGuardPage() throws {
        let (_, run) = try boot("crash-bare")
        #expect(run.outcome == .panicked, "\(run.output)")
        #expect(run.output.contains("CPU exception page fault (#PF), vector 14"), "\(run.output)")
        #expect(run.output.contains("reason: kernel stack overflow: the access hit a stack's guard page"), "\(run.output)")
    }

    /// The bench image boots, prints every figure `hermit bench` compares, and exits 0. (No
    /// figure is compared with a threshold: speed is reported by `hermit bench`, not tested.)
    @Test func theBenchImagePrintsEveryFigure() throws {
        let (_, run) = try boot("bench")
        #expect(run.outcome == .exited(0), "\(run.output)")
        let figures = BenchmarkFigures(parsing: run.output)
        #expect(figures.complete && figures.failures.isEmpty, "\(run.output)")
        for operation in BenchmarkComparison.operations {
            #expect((figures[operation.name] ?? 0) > 0, "no figure for \(operation.name) in:\n\(run.output)")
        }
    }

    /// The matmul image on two processors: the Parallel pool has a worker on each, and the
    /// blocked and Strassen products equal the naive one.
    @Test func matmulOnTwoProcessorsComputesTheRightProducts() throws {
        let (image, run) = try boot("matmul", commandLine: "check=48 sizes=128")
        #expect(image.config.cpus == 2)
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(run.output.contains("matmul: 2 workers"), "\(run.output)")
        #expect(run.output.contains("matmul: check n=48 ok"), "\(run.output)")
        // The sum of all elements of A × B is Σ_k (column k of A summed) × (row k of B summed),
        // computed here from the app's input formulas, independently of any matrix code.
        let n = 128
        var expected = 0
        for k in 0..<n {
            let column = (0..<n).reduce(0) { $0 + ($1 * 7 + k * 3) % 10 }
            let row = (0..<n).reduce(0) { $0 + ((k * 5 + $1) % 10 - 4) }
            expected += column * row
        }
        for algorithm in ["blocked", "strassen"] {
            let line = run.output.split(whereSeparator: \.isNewline).first { $0.contains("n=128 algorithm=\(algorithm) workers=2 ") }
            #expect(line?.hasSuffix("checksum=\(expected)") == true, "\(run.output)")
        }
        #expect(!run.output.contains("FAILED"))
    }

    /// httpd on q35 with a virtio-net card on QEMU's user network, its address from slirp's
    /// DHCP server: pages fetched with curl
    /// from the host (sequential, keep-alive, concurrent, 1 MiB), a 404, UDP echo, then a
    /// clean shutdown with exit status 0 and no malformed frames.
    @Test func httpdServesPagesToCurlOverVirtioNet() throws {
        let curl = try #require(Shell.which("curl"), "curl is needed (apt-get install -y curl)")
        var image = try builder.build(try builder.loadConfig("httpd"))
        let http = UInt16.random(in: 20000...40000), udp = http + 1
        image.config.forwards = ["\(http):80", "udp:\(udp):7"]
        let guest = try runner.launch(BootTarget(image))
        defer { _ = guest.finish(timeout: 1) }
        #expect(guest.waitForOutput("httpd: listening", timeout: 120), "\(guest.output)")
        #expect(guest.output.contains("httpd: DHCP lease 10.0.2.15/24, gateway 10.0.2.2"), "\(guest.output)")
        let base = "http://127.0.0.1:\(http)"
        func fetch(_ arguments: [String]) throws -> String {
            try Shell.run(curl, ["-s", "-m", "60"] + arguments, timeout: 90).output
        }
        #expect(try fetch(["\(base)/"]).contains("Hello from SwiftyHermit"))
        #expect(try fetch(["\(base)/health"]) == "ok\n")
        #expect(try fetch(["-o", "/dev/null", "-w", "%{http_code}", "\(base)/missing"]) == "404")
        // Keep-alive: three requests, one connection.
        let verbose = try fetch(["-v", "\(base)/health", "\(base)/health", "\(base)/"])
        #expect(verbose.components(separatedBy: "Re-using existing connection").count == 3, "\(verbose)")
        // A large response arrives whole.
        #expect(try fetch(["-o", "/dev/null", "-w", "%{size_download}", "\(base)/bytes/1048576"]) == "1048576")
        // Concurrent clients: curl's parallel mode, eight connections at once.
        let parallel = ["-Z", "--no-progress-meter", "--parallel-immediate", "--parallel-max", "8", "-w", "%{http_code}\\n"]
            + (0..<8).flatMap { _ in ["-o", "/dev/null", "\(base)/bytes/65536"] }
        let results = try fetch(parallel)
        #expect(results.split(separator: "\n").filter { $0 == "200" }.count == 8, "\(results)")
        // UDP echo through the forwarded port (the shell's /dev/udp is not everywhere: use python3).
        if let python = Shell.which("python3") {
            let script = "import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(20);s.sendto(b'echo me',('127.0.0.1',\(udp)));print(s.recv(100).decode())"
            #expect(try Shell.run(python, ["-c", script], timeout: 30).output.contains("echo me"))
        }
        #expect(try fetch(["\(base)/shutdown"]) == "bye\n")
        let run = guest.finish(timeout: 60)
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(run.output.contains("malformed 0, bad checksums 0"), "\(run.output)")
    }

    /// httpd against hostile HTTP clients (Tests/ImageTests/Scripts/hostile-http.py): numbers
    /// chosen to overflow, ambiguous framing, smuggled bodies, oversized heads and targets,
    /// half-closed and silent peers, slowloris at the connection limit, a reader that never
    /// reads. After them all the guest still answers, its heap is back within 256 KiB of
    /// where it started, and it shuts down cleanly.
    @Test func httpdSurvivesHostileClientsAndItsMemoryReturns() throws {
        let python = try #require(Shell.which("python3"), "python3 is needed for the hostile clients")
        var image = try builder.build(try builder.loadConfig("httpd"))
        let http = UInt16.random(in: 20000...40000)
        image.config.forwards = ["\(http):80"]
        image.config.commandLine = "ip=dhcp port=80 max_connections=8 header_timeout=3000 body_timeout=3000 idle_timeout=5000 send_timeout=5000"
        let guest = try wallClock.launch(BootTarget(image))
        defer { _ = guest.finish(timeout: 1) }
        #expect(guest.waitForOutput("httpd: listening", timeout: 120), "\(guest.output)")
        let curl = try #require(Shell.which("curl"))
        func stats() throws -> [String: Int] {
            ImageTests.figures(try Shell.run(curl, ["-s", "-m", "30", "http://127.0.0.1:\(http)/stats"], timeout: 60).output)
        }
        let before = try stats()
        let attack = try Shell.run(python, [script("hostile-http.py"), "127.0.0.1", String(http)], timeout: 600)
        #expect(attack.status == 0, "\(attack.output)")
        #expect(attack.output.contains("hostile-http: 0 failed"), "\(attack.output)")
        // Let TIME-WAIT and the idle timeout pass, then compare the heap.
        Thread.sleep(forTimeInterval: 8)
        let after = try stats()
        let heapBefore = try #require(before["heap_bytes"]), heapAfter = try #require(after["heap_bytes"])
        print("hostile-http: heap \(heapBefore) -> \(heapAfter) bytes (peak \(after["heap_peak_bytes"] ?? 0)); \(after)")
        #expect(heapAfter <= heapBefore + 256 * 1024, "heap \(heapBefore) -> \(heapAfter): \(after)")
        #expect((after["http_connections"] ?? 99) <= 1 && (after["tcp_connections"] ?? 99) <= 2, "\(after)")
        for counter in ["http_refused_requests", "http_refused_at_limit", "http_timed_out", "http_reset_stalled", "http_closed_mid_request"] {
            #expect((after[counter] ?? 0) > 0, "\(counter) counted nothing: \(after)")
        }
        #expect(try Shell.run(curl, ["-s", "-m", "30", "http://127.0.0.1:\(http)/shutdown"], timeout: 60).output == "bye\n")
        let run = guest.finish(timeout: 60)
        #expect(run.outcome == .exited(0), "\(run.output)")
    }

    /// httpd against hostile TCP/IP peers (Tests/ImageTests/Scripts/hostile-tcp.py, scapy over
    /// a tap device in a network namespace of this test's own): SYN floods, RFC 5961 resets and
    /// SYNs, a zero window held forever, MSS 0 and 1, malformed options and offsets,
    /// overlapping segments with different data, FIN storms, IP fragments, options, TTL 0,
    /// bad checksums, bad UDP lengths, ARP and ICMP floods. Afterwards the guest serves, its
    /// heap is back within 256 KiB of where it started, and the counters name the drops.
    @Test func httpdSurvivesHostileTCPPeersOverATapDevice() throws {
        let python = try #require(Shell.which("python3"))
        #expect(try Shell.run(python, ["-c", "import scapy"]).status == 0, "needs scapy (python3 -m pip install scapy)")
        try withHTTPDOnTap(purpose: "hostile", commandLine: "port=80 send_timeout=5000") { namespace, curl in
            let before = try namespace.stats(curl: curl)
            let attack = try namespace.run(python, [script("hostile-tcp.py")], timeout: 600)
            #expect(attack.status == 0 && attack.output.contains("hostile-tcp: 0 failed"), "\(attack.output)")
            Thread.sleep(forTimeInterval: 5)
            let after = try namespace.stats(curl: curl)
            let heapBefore = try #require(before["heap_bytes"]), heapAfter = try #require(after["heap_bytes"])
            print("hostile-tcp: heap \(heapBefore) -> \(heapAfter) bytes (peak \(after["heap_peak_bytes"] ?? 0)); \(after)")
            #expect(heapAfter <= heapBefore + 256 * 1024, "heap \(heapBefore) -> \(heapAfter): \(after)")
            // Half-open entries stay within the backlog (64) until they time out.
            #expect((after["tcp_connections"] ?? 999) <= 64 + 4, "\(after)")
            for counter in ["net_malformed", "net_bad_checksums", "net_fragments_dropped", "net_half_open_evicted", "http_reset_stalled"] {
                #expect((after[counter] ?? 0) > 0, "\(counter) counted nothing: \(after)")
            }
        }
    }

    /// The same client behaviour against httpd and against a small server on Linux's TCP
    /// (Tests/ImageTests/Scripts/tcp-differential.py and reference-httpd.py, both reached over
    /// the namespace's links): keep-alive, pipelining, 1 MiB, a reader that pauses for a minute
    /// and resumes, half-closes after and in the middle of a request, a reset in the middle of
    /// a response, an upload, a slow reader, 30 parallel downloads, a refused port. The client
    /// must observe the same statuses, bytes, order and endings, in comparable time.
    @Test func httpdBehavesLikeLinuxForTheSameClients() throws {
        let python = try #require(Shell.which("python3"))
        try withHTTPDOnTap(purpose: "differential", commandLine: "port=80") { namespace, _ in
            let reference = try namespace.start(python, [script("reference-httpd.py"), TapNamespace.host, "8081"])
            defer { _ = reference.finish(timeout: 0) }
            for _ in 0..<100 where !reference.output.contains("listening") { Thread.sleep(forTimeInterval: 0.1) }
            let run = try namespace.run(python, [script("tcp-differential.py"), "\(TapNamespace.guest):80", "\(TapNamespace.host):8081"], timeout: 900)
            print(run.output)
            #expect(run.status == 0 && run.output.contains("tcp-differential: 0 differences"), "\(run.output)")
        }
    }

    /// Issue 13's figures (Tests/ImageTests/Scripts/tcp-figures.py): 30 parallel downloads, a
    /// SYN flood, a thousand connections reset at once, a thousand orphaned connections. The
    /// test checks outcomes, not times: every download completes, a client gets in after the
    /// flood and after the resets, and once the FIN timeout has passed the orphans' memory is
    /// back. The guest's TCP timers are Linux's shortened as a sysctl would (fin_timeout 20 s,
    /// not 60; 3 SYN-ACK retries, 15 s, not 5): the outcomes are the same, a minute sooner.
    @Test func httpdRecoversFromFloodsResetStormsAndOrphans() throws {
        let python = try #require(Shell.which("python3"))
        #expect(try Shell.run(python, ["-c", "import scapy"]).status == 0, "needs scapy (python3 -m pip install scapy)")
        try withHTTPDOnTap(purpose: "figures", commandLine: "port=80 fin_timeout=20000 synack_retries=3") { namespace, curl in
            let run = try namespace.run(python, [script("tcp-figures.py"), TapNamespace.guest, "--orphan-wait", "24"], timeout: 900)
            print(run.output)
            var figures: [String: String] = [:]
            for line in run.output.split(separator: "\n") {
                if let colon = line.firstIndex(of: ":") { figures[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces) }
            }
            #expect(figures["slowest of 30 parallel 100 KB downloads (3 rounds)"].map { $0 != "inf s" } == true, "\(run.output)")
            #expect(figures["orphaned connections held by the client"] == "1000", "\(run.output)")
            let after = try namespace.stats(curl: curl)
            #expect((after["tcp_connections"] ?? 999) <= 2, "every orphan was freed: \(after)")
            let heapLine = try #require(figures.first { $0.key.hasPrefix("heap ") && $0.key.hasSuffix("s later") }?.value)
            let heapBefore = try #require(figures["heap before"].flatMap { Int($0.split(separator: " ")[0]) })
            let heapLater = try #require(Int(heapLine.split(separator: " ")[0]))
            #expect(heapLater <= heapBefore + 256 * 1024, "\(run.output)")
        }
    }

    /// A guest that runs on the wall clock: deadlines are the point of these tests, and
    /// icount's clock leaps ahead whenever the guest idles.
    var wallClock: QEMURunner { QEMURunner(qemu: runner.qemu, accelerator: runner.accelerator, instructionCounting: false) }

    func script(_ name: String) -> String { ImageTests.root.appendingPathComponent("Tests/ImageTests/Scripts/\(name)").path }

    /// Boots httpd (with `commandLine`) on a tap in a namespace of its own, on the wall clock,
    /// runs `body` once it listens (with curl's path), then asks it to shut down and checks that
    /// it exits 0; the guest and the namespace are gone afterwards whatever happened.
    func withHTTPDOnTap(purpose: String, commandLine: String, _ body: (TapNamespace, String) throws -> Void) throws {
        let curl = try #require(Shell.which("curl"))
        let namespace = try TapNamespace(purpose: purpose)
        defer { namespace.remove() }
        let image = try builder.build(try builder.loadConfig("httpd"))
        let guest = try wallClock.launch(namespace.attach(BootTarget(image), commandLine: commandLine), inNamespace: namespace.name)
        defer { _ = guest.finish(timeout: 1) }
        try #require(guest.waitForOutput("httpd: listening", timeout: 120), "\(guest.output)")
        try body(namespace, curl)
        let shutdown = try namespace.run(curl, ["-s", "-m", "30", "http://\(TapNamespace.guest)/shutdown"], timeout: 60)
        #expect(shutdown.output == "bye\n")
        let run = guest.finish(timeout: 60)
        #expect(run.outcome == .exited(0), "\(run.output)")
    }

    @Test func theMemoryImagePassesItsAllocatorAndDemandPagingChecks() throws {
        let (_, run) = try boot("memory")
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(run.output.contains("memory: all checks passed"), "\(run.output)")
        #expect(run.output.contains("bench: page_fault_instructions="))
        #expect(run.output.contains("bench: heap_alloc_free_64_instructions="))
    }

    @Test func aThousandThreadsOnOneProcessor() throws { try checkThreads(config: "threads-1cpu", processors: 1) }

    @Test func aThousandThreadsOnTwoProcessors() throws { try checkThreads(config: "threads", processors: 2) }

    /// 1,000 threads yield, sleep, share a mutex and join; one is placed on each processor;
    /// 10,000 more are spawned and joined in waves. (Two tests, not one with arguments, so the
    /// suite's serialisation keeps them from running two VMs at once.)
    func checkThreads(config: String, processors: Int) throws {
        let (_, run) = try boot(config)
        #expect(run.outcome == .exited(0), "\(run.output)")
        #expect(run.output.contains("threads: \(processors) processors in the ACPI MADT, \(processors) online, \(processors) scheduling threads"),
                "\(run.output)")
        for core in 0..<processors {
            #expect(run.output.contains("threads: a thread placed on processor \(core) ran there"))
        }
        #expect(run.output.contains("threads: 1000 threads on \(processors) processors x 3 rounds, counter 3000"))
        #expect(run.output.contains("threads: 200 movable threads started on processor 0 ran on \(processors) processors"))
        #expect(run.output.contains("threads: stress 10000 threads in 10 waves"))
        #expect(run.output.contains("threads: preemption let a second thread run"))
        #expect(run.output.contains("threads: slept "))
        #expect(run.output.contains("threads: the I/O APIC delivered "))
        #expect(run.output.contains("threads: all checks passed"))
        if processors > 1 {
            // Unmapping on processor 0 flushed processor 1's TLB (the check fails without the IPI).
            #expect(run.output.contains("threads: TLB shootdown reached processor 1"))
        }
        #expect(!run.output.contains("FAILED"))
        for figure in ["yield_alone_instructions=", "yield_switch_instructions=", "thread_create_instructions="] {
            #expect(run.output.contains("bench: " + figure))
        }
    }

    @Test func aSwiftBoundsCheckPanicsWithItsMessage() throws {
        let (_, run) = try boot("crash", commandLine: "crash=bounds")
        #expect(run.outcome == .panicked)
        #expect(run.output.contains("Fatal error: Index out of range"), "\(run.output)")
        #expect(run.output.contains("invalid opcode (#UD), vector 6"))
        #expect(run.output.contains("a Swift runtime check failed"))
    }

    @Test func fatalErrorPanicsWithItsMessage() throws {
        let (_, run) = try boot("crash", commandLine: "crash=fatal")
        #expect(run.outcome == .panicked)
        #expect(run.output.contains("Fatal error: the crash app asked for a fatal error"), "\(run.output)")
    }

    @Test func anExhaustedHeapPanicsNamingTheRequest() throws {
        let (_, run) = try boot("crash", commandLine: "crash=out-of-memory")
        #expect(run.outcome == .panicked)
        #expect(run.output.contains("*** KERNEL PANIC: out of memory: the kernel heap cannot satisfy a request of "), "\(run.output)")
    }

    @Test func anUnknownAppStatusIsPassedThrough() throws {
        let (_, run) = try boot("crash", commandLine: "crash=nonsense")
        #expect(run.outcome == .exited(2), "\(run.output)")
        #expect(run.output.contains("crash: unknown failure 'nonsense'"))
    }

    @Test func tooLittleMemoryForTheImageIsRefusedNotAHang() throws {
        var image = try builder.build(try builder.loadConfig("hello"))
        image.config.memoryKiB = 1024
        #expect {
            _ = try runner.run(image, echo: false)
        } throws: { error in
            (error as? HermitError)?.description.contains("but 'memory' gives the VM only 1024 KiB") == true
        }
    }

    @Test func theBuilderRefusesABadConfigAndLeavesNoImage() throws {
        var config = try builder.loadConfig("hello")
        config.name = "broken"
        config.modules = ["X86", "Boot", "Nonexistent"]
        #expect(throws: HermitError.self) { try builder.build(config) }
        #expect(!FileManager.default.fileExists(atPath: builder.imagesDirectory.appendingPathComponent("broken.elf").path))
        config.modules = ["X86"]
        #expect(throws: HermitError("broken: every image needs module 'Boot'; add it to 'modules'")) { try builder.build(config) }
    }
}

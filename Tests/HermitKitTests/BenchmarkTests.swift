import Foundation
import Testing
@testable import HermitKit

@Suite("Benchmark output and the Linux baseline's RAM disk")
struct BenchmarkTests {
    /// Console output as a Linux guest leaves it: kernel messages, carriage returns, noise.
    static let linuxConsole = """
        [    0.085747] PCI: Fatal: No config space access function found\r
        bench: vm_start_to_main=6035917010\r
        bench: getpid=322\r
        bench: sched_yield=800\r
        [    1.000000] random: crng init done\r
        bench: thread_create=62450\r
        bench: page_fault=7044\r
        bench: heap_alloc_free_64=131\r
        bench: not a figure\r
        bench: getpid=abc\r
        bench: done\r

        """

    @Test func parsesFiguresAndIgnoresEverythingElse() {
        let figures = BenchmarkFigures(parsing: Self.linuxConsole)
        #expect(figures.names == ["vm_start_to_main", "getpid", "sched_yield", "thread_create", "page_fault", "heap_alloc_free_64"])
        #expect(figures["getpid"] == 322 && figures["page_fault"] == 7044)
        #expect(figures.complete)
        #expect(figures.failures.isEmpty)
    }

    @Test func anUnfinishedRunIsNotComplete() {
        let figures = BenchmarkFigures(parsing: "bench: getpid=4\nbench: FAILED: no memory\n")
        #expect(!figures.complete)
        #expect(figures.failures == ["no memory"])
        #expect(figures["getpid"] == 4)
    }

    @Test func theTableHasRatiosOnlyWhereBothSidesMeasured() {
        var ours = BenchmarkFigures()
        ours.set("getpid", 4)
        ours.set("sched_yield", 50)
        ours.set("boot_to_main", 3000)
        let comparison = BenchmarkComparison(swiftyHermit: ours, linux: BenchmarkFigures(parsing: Self.linuxConsole),
                                             linuxFailure: nil, unit: "guest instructions")
        #expect(comparison.ratio("getpid") == 80.5)
        #expect(comparison.ratio("sched_yield") == 16)
        #expect(comparison.ratio("boot_to_main") == nil)
        let table = comparison.table()
        let getpidRow = table.split(separator: "\n").first { $0.hasPrefix("getpid()") }
        #expect(getpidRow?.contains("322") == true && getpidRow?.contains("81x") == true && getpidRow?.contains("1,962") == true)
        let json = try? JSONSerialization.jsonObject(with: Data(comparison.json().utf8)) as? [String: Any]
        let rows = json?["operations"] as? [[String: Any]]
        #expect(rows?.count == BenchmarkComparison.operations.count)
        #expect((rows?.first?["swiftyhermit"] as? Int) == 4)
    }

    @Test func aMissingLinuxSideIsReported() {
        var ours = BenchmarkFigures()
        ours.set("getpid", 4)
        let comparison = BenchmarkComparison(swiftyHermit: ours, linux: nil, linuxFailure: "apt-get download failed", unit: "x")
        #expect(comparison.table().contains("Linux side missing: apt-get download failed"))
        #expect(comparison.json().contains("apt-get download failed"))
    }

    @Test func groupsThousands() {
        #expect(BenchmarkComparison.grouped(0) == "0")
        #expect(BenchmarkComparison.grouped(999) == "999")
        #expect(BenchmarkComparison.grouped(1000) == "1,000")
        #expect(BenchmarkComparison.grouped(6035917010) == "6,035,917,010")
    }

    @Test func linuxBootsWithTheSameQEMUOptionsAsTheImage() {
        let config = ImageConfig(name: "bench", app: "bench", modules: ["X86", "Boot"])
        let image = BuiltImage(config: config, path: URL(fileURLWithPath: "/images/bench.elf"),
                               debugPath: URL(fileURLWithPath: "/images/bench.debug.elf"), size: 1)
        let baseline = LinuxBaseline(root: URL(fileURLWithPath: "/repo"), cache: URL(fileURLWithPath: "/cache"))
        let target = baseline.target(kernel: URL(fileURLWithPath: "/cache/vmlinuz-6.1"), initialRAMDisk: URL(fileURLWithPath: "/i.cpio"),
                                     like: image, instructionCounting: true)
        let runner = QEMURunner(qemu: "qemu", accelerator: .tcg)
        func options(_ arguments: [String]) -> [String] {
            var out: [String] = []
            var index = 0
            while index < arguments.count {
                if ["-kernel", "-initrd", "-append"].contains(arguments[index]) { index += 2; continue }
                out.append(arguments[index]); index += 1
            }
            return out
        }
        let linuxArguments = runner.arguments(for: target)
        #expect(options(linuxArguments) == options(runner.arguments(for: image)))
        #expect(linuxArguments.contains("/i.cpio") && linuxArguments.contains("/cache/vmlinuz-6.1"))
        #expect(target.commandLine.contains("tsc_early_khz=1000000") && target.commandLine.contains("console=ttyS0"))
    }
}

@Suite("Matmul benchmark output")
struct MatmulBenchmarkTests {
    static func run(_ blockedMilliseconds: UInt64, _ strassenMilliseconds: UInt64, workers: Int) -> MatmulFigures {
        MatmulFigures(parsing: """
            matmul: \(workers) workers\r
            matmul: n=256 algorithm=blocked workers=\(workers) ns=\(blockedMilliseconds * 1_000_000) checksum=37157440\r
            matmul: n=256 algorithm=strassen workers=\(workers) ns=\(strassenMilliseconds * 1_000_000) checksum=37157440\r
            matmul: 3 jobs stolen so far\r
            """)
    }

    @Test func parsesTimingLines() {
        let figures = Self.run(10, 8, workers: 2)
        #expect(figures.timings.count == 2 && !figures.failed)
        #expect(figures.timings[0] == MatmulFigures.Timing(n: 256, algorithm: "blocked", workers: 2, nanoseconds: 10_000_000, checksum: 37157440))
        #expect(MatmulFigures(parsing: "matmul: check n=64 FAILED").failed)
    }

    @Test func takesMediansAndRatios() {
        let one = [Self.run(100, 80, workers: 1), Self.run(120, 70, workers: 1), Self.run(90, 90, workers: 1)]
        let two = [Self.run(50, 40, workers: 2), Self.run(60, 41, workers: 2)]
        #expect(MatmulFigures.median(one, n: 256, algorithm: "blocked") == 100_000_000)
        #expect(MatmulFigures.median(two, n: 256, algorithm: "strassen") == 40_500_000)
        #expect(MatmulFigures.median(one, n: 512, algorithm: "blocked") == nil)
        let comparison = MatmulComparison(sizes: [256], unikernel: [1: one, 2: two], host: [1: one], runs: 3, setting: "TCG")
        let blockedRow = comparison.table().split(separator: "\n").first { $0.hasPrefix("blocked") }
        #expect(blockedRow?.contains("1.82x") == true, "\(comparison.table())")   // 100 / 55
        #expect(blockedRow?.contains("-") == true)                                  // no host run with 2 threads
        #expect(comparison.json().contains("\"unikernel_speedup\""))
    }
}

@Suite("wrk output")
struct WrkReportTests {
    @Test func parsesRateRequestsAndErrors() throws {
        let report = try #require(WrkReport(parsing: """
            Running 10s test @ http://10.1.0.2/
              2 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    27.92ms  106.30ms   1.71s    98.34%
                Req/Sec     0.91k   388.80     2.46k    84.50%
              18083 requests in 10.02s, 4.71MB read
              Socket errors: connect 0, read 0, write 0, timeout 2
              Non-2xx or 3xx responses: 5
            Requests/sec:   1805.20
            Transfer/sec:    481.27KB
            """))
        #expect(report.requestsPerSecond == 1805.20 && report.requests == 18083)
        #expect(report.socketErrors == 2 && report.non2xx == 5)
        #expect(WrkReport(parsing: "unable to connect to 127.0.0.1:8080 Connection refused") == nil)
    }
}

@Suite("The kernel's sampling profile")
struct SampleProfileTests {
    @Test func theProfileLinesAreReadFromAGuestsOutput() throws {
        let output = "hello\r\nhermit: memory in use 4 KiB of 8 KiB\r\nhermit: profile of 120 samples\r\n"
            + "hermit: profile kernel 0x0000000000116541 70\r\nhermit: profile program 0x0000000000401000 30\r\n"
            + "hermit: profile kernel 0xnonsense 5\r\nhermit: calls name count lock-wait-us work-us sleep-us\r\n"
        let profile = try #require(SampleProfile(parsing: output))
        #expect(profile.total == 120)
        #expect(profile.places == [.init(user: false, address: "0x0000000000116541", samples: 70),
                                   .init(user: true, address: "0x0000000000401000", samples: 30)])
    }

    @Test func anOutputWithoutAProfileHasNone() {
        #expect(SampleProfile(parsing: "hermit: memory in use 4 KiB of 8 KiB\nhermit: profile kernel 0x1 3\n") == nil)
    }
}

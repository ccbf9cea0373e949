import Foundation
import HermitKit

/// `hermit`: build, boot and audit SwiftyHermit images.
let usage = """
usage: hermit <command> [options]

commands:
  build <config>        build configs/<config>.toml into images/<config>.elf (and, for a Linux
                        executable, images/<config>.initrd), and print the QEMU command line
  run <config>          build, then boot the image in QEMU; exits with the app's status
  run <executable> [-- arguments]
                        run an unmodified static Linux executable (gcc -static, musl-gcc -static,
                        swiftc -static-executable) on SwiftyHermit; exits with its status
      --memory 512M     guest RAM for an executable (default: 256M, more for large programs)
      --cpus N          virtual CPUs (default 1)
      --strace          log every system call of the executable
      --forward 8080:80 a virtio-net card on QEMU's user network (DHCP), with this host port
                        forwarded to the guest's ("udp:7007:7" for UDP); repeatable
      --accel kvm|tcg   override the accelerator (default: hardware KVM if present, else TCG)
      --no-icount       under TCG, do not count instructions with the TSC
  bench                 boot the bench image and Debian's Linux kernel (fetched with apt on first
                        use, cached in ~/.cache/swiftyhermit) under the same QEMU options and print
                        instructions per operation side by side with the paper's Table 3
      --json            print the table as JSON
      --accel kvm|tcg   as for run (with KVM the figures are TSC cycles)
  bench matmul          the matmul image with 1 and 2 vCPUs (multi-threaded TCG) and the host
                        build of the same source with 1 and 2 threads: median times, speed-ups
      --sizes 256,512   matrix sizes (default 256,512)
      --runs N          runs per setting (default 3)
  bench httpd           wrk -t2 -c32 against the httpd image over QEMU user networking and over
                        a tap device (in a network namespace of its own), and against nginx on
                        the host serving the same page
      --seconds N       how long each wrk run lasts (default 10)
  bench hummingbird     the unmodified Hummingbird server of Examples/hummingbird-hello on
                        SwiftyHermit and in the Linux guest (the same binary, q35, virtio-net on
                        user networking), and the native httpd app: wrk -t2 -c32 requests/s,
                        latency percentiles, QEMU start to first answer, memory at the end
      --seconds N       how long each wrk run lasts (default 10)
      --cpus N          vCPUs of every guest (default 1; more: multi-threaded TCG)
      --profile         only SwiftyHermit, with the kernel's sampling profiler: where its
                        processors spent the run, by kernel and program function
  bench start           an ordinary static Swift program (Tools/LinuxBaseline/start.swift) as the
                        Linux guest's /init and on SwiftyHermit: VM start to its first statement,
                        and the least memory each runs it in (bisected)
  audit                 print unsafe code per module (the paper's Table 2); fails if any
                        module other than X86 and Boot contains unsafe code, or a public
                        declaration of X86 or Boot has no doc comment
  configs               list the configs
"""

func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("hermit: \(message)\n".utf8))
    exit(status)
}

/// The package root: the nearest directory upwards holding Package.swift and Libs/.
func packageRoot() -> URL {
    var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    while directory.path != "/" {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
           FileManager.default.fileExists(atPath: directory.appendingPathComponent("Libs").path) {
            return directory
        }
        directory.deleteLastPathComponent()
    }
    fail("not inside the SwiftyHermit package (no Package.swift with Libs/ above the current directory)")
}

/// The argument after the option at `index` (moving `index` onto it), or nil at the end.
func optionValue(_ arguments: [String], _ index: inout Int) -> String? {
    index += 1
    return index < arguments.count ? arguments[index] : nil
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("hermit: \(message)\n".utf8))
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { print(usage); exit(2) }
arguments.removeFirst()

do {
    let root = packageRoot()
    switch command {
    case "build", "run":
        var configName: String? = nil
        var accelerator = Accelerator.detect()
        var icount = true
        var memory: String? = nil
        var cpus: Int? = nil
        var strace = false
        var forwards: [String] = []
        var programArguments: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--":
                programArguments = Array(arguments[(index + 1)...])
                index = arguments.count
                continue
            case "--memory":
                guard let value = optionValue(arguments, &index), ImageConfig.parseMemory(value) != nil else { fail("--memory takes a size like 512M") }
                memory = value
            case "--cpus":
                guard let value = optionValue(arguments, &index).flatMap({ Int($0) }), (1...64).contains(value) else { fail("--cpus takes 1...64") }
                cpus = value
            case "--strace":
                strace = true
            case "--forward":
                guard let value = optionValue(arguments, &index), PortForward(value) != nil else { fail("--forward takes host:guest ports like 8080:80 or udp:7007:7") }
                forwards.append(value)
            case "--accel":
                guard let chosen = optionValue(arguments, &index).flatMap(Accelerator.init(rawValue:)) else {
                    fail("--accel takes 'kvm' or 'tcg'")
                }
                accelerator = chosen
            case "--no-icount":
                icount = false
            default:
                guard !argument.hasPrefix("-"), configName == nil else { fail("unexpected argument '\(argument)'\n\(usage)", status: 2) }
                configName = argument
            }
            index += 1
        }
        guard let configName else { fail("'\(command)' needs a config name\n\(usage)", status: 2) }
        let toolchain = try Toolchain.locate()
        let builder = ImageBuilder(root: root, toolchain: toolchain)
        var config: ImageConfig
        if let executable = ExecutableRun.executablePath(configName) {
            config = try ExecutableRun.config(for: executable, memory: memory, cpus: cpus, arguments: programArguments)
            if !forwards.isEmpty { ExecutableRun.addNetwork(&config, forwards: forwards) }
        } else {
            guard programArguments.isEmpty, memory == nil, cpus == nil, forwards.isEmpty else {
                fail("'--', --memory, --cpus and --forward are for running an executable; a config sets them itself", status: 2)
            }
            config = try builder.loadConfig(configName)
        }
        if strace {
            guard config.executable != nil else { fail("--strace is for a Linux executable", status: 2) }
            config.strace = true
        }
        let image = try builder.build(config, log: log)
        log("image \(image.path.path): \(image.size) bytes" + (image.initrd.map { ", initrd \($0.path)" } ?? ""))
        guard command == "run" else {
            let qemu = (try? QEMURunner.locateQEMU()) ?? "qemu-system-x86_64"
            let boot = QEMURunner(qemu: qemu, accelerator: accelerator, instructionCounting: false).arguments(for: image)
            print(([qemu] + boot).map(ExecutableRun.shellQuoted).joined(separator: " "))
            exit(0)
        }
        let runner = QEMURunner(qemu: try QEMURunner.locateQEMU(), accelerator: accelerator, instructionCounting: icount)
        log("booting with \(accelerator.rawValue)\(runner.instructionCounting ? " (icount)" : ""), \(config.memoryKiB) KiB, \(config.cpus) CPU(s)")
        let run = try runner.run(image, echo: true)
        switch run.outcome {
        case .exited(let status):
            log("\(config.executable.map { URL(fileURLWithPath: $0).lastPathComponent } ?? config.app) exited with status \(status) (\(Int(run.seconds * 1000)) ms)")
        case .panicked:
            let symbols = PanicSymbolizer(toolchain: toolchain).symbolize(run.output, image: image)
            if !symbols.isEmpty { print("backtrace, symbolised:\n" + symbols.joined(separator: "\n")) }
            log("the kernel panicked")
        case .reset:
            log("the guest reset without an exit status (a triple fault?)")
        case .qemuFailed(let status):
            log("QEMU failed with status \(status)")
        case .timedOut:
            log("the guest did not finish within \(config.timeoutSeconds) s; stopped it")
        }
        exit(run.outcome.exitStatus)
    case "bench":
        var accelerator = Accelerator.detect()
        var json = false
        var matmul = false
        var httpd = false
        var start = false
        var hummingbird = false
        var profile = false
        var benchCPUs = 1
        var seconds = 10
        var sizes = [256, 512]
        var runs = 3
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "matmul" where index == 0: matmul = true
            case "httpd" where index == 0: httpd = true
            case "start" where index == 0: start = true
            case "hummingbird" where index == 0: hummingbird = true
            case "--cpus":
                guard let value = optionValue(arguments, &index).flatMap({ Int($0) }), (1...64).contains(value) else { fail("--cpus takes 1...64") }
                benchCPUs = value
            case "--seconds":
                guard let parsed = optionValue(arguments, &index).flatMap({ Int($0) }), parsed > 0 else { fail("--seconds takes a positive number") }
                seconds = parsed
            case "--sizes":
                let parsed = optionValue(arguments, &index)?.split(separator: ",").compactMap { Int($0) } ?? []
                guard !parsed.isEmpty, parsed.allSatisfy({ $0 > 0 }) else { fail("--sizes takes sizes like 256,512") }
                sizes = parsed
            case "--runs":
                guard let parsed = optionValue(arguments, &index).flatMap({ Int($0) }), parsed > 0 else { fail("--runs takes a positive number") }
                runs = parsed
            case "--json": json = true
            case "--profile": profile = true
            case "--accel":
                guard let chosen = optionValue(arguments, &index).flatMap(Accelerator.init(rawValue:)) else {
                    fail("--accel takes 'kvm' or 'tcg'")
                }
                accelerator = chosen
            default: fail("unexpected argument '\(arguments[index])'\n\(usage)", status: 2)
            }
            index += 1
        }
        if httpd {
            exit(try runHTTPBenchmark(root: root, accelerator: accelerator, seconds: seconds, json: json))
        }
        if hummingbird {
            exit(try runHummingbirdBenchmark(root: root, accelerator: accelerator, seconds: seconds, cpus: benchCPUs, json: json, profile: profile))
        }
        if start {
            exit(try runStartBenchmark(root: root, accelerator: accelerator, json: json))
        }
        if matmul {
            exit(try runMatmulBenchmark(root: root, accelerator: accelerator, sizes: sizes, runs: runs, json: json))
        }
        exit(try runBenchmarks(root: root, accelerator: accelerator, json: json))
    case "audit":
        let audit = UnsafeAudit.run(root: root)
        print(audit.table())
        exit(audit.violations.isEmpty && audit.fences.allSatisfy({ $0.undocumentedDeclarations == 0 }) ? 0 : 1)
    case "configs":
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("configs").path)) ?? []
        for name in names.sorted() where name.hasSuffix(".toml") { print(String(name.dropLast(5))) }
    case "help", "--help", "-h":
        print(usage)
    default:
        fail("unknown command '\(command)'\n\(usage)", status: 2)
    }
} catch {
    fail(error.description)
}

import CPIO
import Foundation

/// The Linux guest `hermit bench` compares against: Debian's stock kernel (the package that
/// `linux-image-amd64` depends on, fetched with apt once and cached outside the repository)
/// with a tiny initial RAM disk whose `/init` is Tools/LinuxBaseline/bench.c, linked
/// statically.
///
/// Guarantees: every step that can fail (apt, dpkg, the C compiler) is reported as a
/// ``HermitError`` naming the step and its output; nothing is fetched when a kernel is
/// already cached.
public struct LinuxBaseline: Sendable {
    /// The package root (for the C source and the build folder).
    public var root: URL
    /// Where the kernel is cached.
    public var cache: URL

    public init(root: URL, cache: URL = LinuxBaseline.defaultCache) {
        self.root = root
        self.cache = cache
    }

    /// `$SWIFTYHERMIT_CACHE/linux`, else `$XDG_CACHE_HOME/swiftyhermit/linux`, else
    /// `~/.cache/swiftyhermit/linux`.
    public static var defaultCache: URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["SWIFTYHERMIT_CACHE"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit).appendingPathComponent("linux")
        }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("swiftyhermit/linux")
    }

    /// The kernel command line: serial console, quiet, reboot (which `-no-reboot` turns into
    /// an exit) on panic. Under instruction counting the TSC runs at exactly 1 GHz; Linux
    /// must be told so on `microvm`, which has no device it could calibrate against.
    public static func commandLine(instructionCounting: Bool) -> String {
        "console=ttyS0 quiet panic=-1" + (instructionCounting ? " tsc_early_khz=1000000" : "")
    }

    /// The modules a Linux guest loads for a virtio-net card on PCI, in load order (Debian
    /// builds them as modules).
    public static let networkModules = ["kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/virtio/virtio.ko",
                                        "kernel/drivers/virtio/virtio_pci_modern_dev.ko", "kernel/drivers/virtio/virtio_pci_legacy_dev.ko",
                                        "kernel/drivers/virtio/virtio_pci.ko", "kernel/net/core/failover.ko",
                                        "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko"]

    /// The cached kernel's network modules (``networkModules``), fetching the kernel package
    /// again if they are not cached yet.
    public func networkModules(log: (String) -> Void) throws(HermitError) -> [URL] {
        if let kernel = cachedKernel(), let modules = cachedModules(for: kernel) { return modules }
        if let kernel = cachedKernel() { try? FileManager.default.removeItem(at: kernel) }   // fetched before modules were kept
        let kernel = try self.kernel(log: log)
        guard let modules = cachedModules(for: kernel) else { throw HermitError("the kernel package holds no virtio-net modules") }
        return modules
    }

    /// The folder the modules of `kernel` are kept in, and them, if all are there.
    func cachedModules(for kernel: URL) -> [URL]? {
        let folder = cache.appendingPathComponent("modules-" + kernel.lastPathComponent)
        let modules = Self.networkModules.map { folder.appendingPathComponent(URL(fileURLWithPath: $0).lastPathComponent) }
        return modules.allSatisfy { FileManager.default.fileExists(atPath: $0.path) } ? modules : nil
    }

    /// A cached `vmlinuz`, fetching Debian's kernel first if none is cached (its network
    /// modules are kept beside it).
    public func kernel(log: (String) -> Void) throws(HermitError) -> URL {
        if let cached = cachedKernel() { return cached }
        guard let apt = Shell.which("apt-get"), let aptCache = Shell.which("apt-cache"), let dpkg = Shell.which("dpkg") else {
            throw HermitError("cannot fetch the Linux kernel: apt-get, apt-cache and dpkg are needed (a Debian host)")
        }
        var package = try kernelPackage(aptCache)
        if package == nil {
            log("apt knows no linux-image-amd64; running apt-get update")
            let update = try Shell.run(apt, ["update", "-q"])
            guard update.status == 0 else { throw HermitError("cannot fetch the Linux kernel: apt-get update failed:\n\(update.output)") }
            package = try kernelPackage(aptCache)
        }
        guard let package else { throw HermitError("cannot fetch the Linux kernel: apt has no package that linux-image-amd64 depends on") }
        log("fetching \(package) with apt-get download into \(cache.path)")
        let download = cache.appendingPathComponent("download")
        try? FileManager.default.removeItem(at: download)
        do { try FileManager.default.createDirectory(at: download, withIntermediateDirectories: true) } catch {
            throw HermitError("cannot create \(download.path): \(error.localizedDescription)")
        }
        let fetched = try Shell.run(apt, ["download", package], directory: download)
        let debs = (try? FileManager.default.contentsOfDirectory(atPath: download.path))?.filter { $0.hasSuffix(".deb") } ?? []
        guard fetched.status == 0, let deb = debs.first else {
            throw HermitError("cannot fetch the Linux kernel: 'apt-get download \(package)' failed:\n\(fetched.output)")
        }
        let unpacked = download.appendingPathComponent("unpacked")
        let extracted = try Shell.run(dpkg, ["-x", download.appendingPathComponent(deb).path, unpacked.path])
        guard extracted.status == 0 else { throw HermitError("cannot unpack \(deb): \(extracted.output)") }
        let boot = unpacked.appendingPathComponent("boot")
        guard let name = (try? FileManager.default.contentsOfDirectory(atPath: boot.path))?.first(where: { $0.hasPrefix("vmlinuz-") }) else {
            throw HermitError("\(deb) holds no boot/vmlinuz-*")
        }
        let kernel = cache.appendingPathComponent(name)
        let version = String(name.dropFirst("vmlinuz-".count))
        let folder = cache.appendingPathComponent("modules-" + name)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for module in Self.networkModules {
            let source = unpacked.appendingPathComponent("lib/modules/\(version)/\(module)")
            try? FileManager.default.moveItem(at: source, to: folder.appendingPathComponent(source.lastPathComponent))
        }
        do { try FileManager.default.moveItem(at: boot.appendingPathComponent(name), to: kernel) } catch {
            throw HermitError("cannot move the kernel into \(cache.path): \(error.localizedDescription)")
        }
        try? FileManager.default.removeItem(at: download)
        return kernel
    }

    /// The newest `vmlinuz-*` in the cache.
    public func cachedKernel() -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []
        return names.filter { $0.hasPrefix("vmlinuz-") }.sorted().last.map { cache.appendingPathComponent($0) }
    }

    /// The package `linux-image-amd64` depends on (e.g. `linux-image-6.1.0-57-amd64`), or nil
    /// when apt does not know it.
    func kernelPackage(_ aptCache: String) throws(HermitError) -> String? {
        let result = try Shell.run(aptCache, ["depends", "linux-image-amd64"])
        guard result.status == 0 else { return nil }
        for line in result.output.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            if words.count == 2, words[0] == "Depends:", words[1].hasPrefix("linux-image-") { return String(words[1]) }
        }
        return nil
    }

    /// Compiles the benchmark program statically and packs it as `/init` of a newc cpio
    /// archive (with `/dev/console`), in `images/linux-baseline/`.
    public func initialRAMDisk() throws(HermitError) -> URL {
        guard let compiler = Shell.which("cc") ?? Shell.which("gcc") else {
            throw HermitError("cannot build the Linux baseline: no C compiler (apt-get install -y gcc libc6-dev)")
        }
        let folder = root.appendingPathComponent("images/linux-baseline")
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw HermitError("cannot create \(folder.path): \(error.localizedDescription)")
        }
        let source = root.appendingPathComponent("Tools/LinuxBaseline/bench.c")
        let program = folder.appendingPathComponent("init")
        let compiled = try Shell.run(compiler, ["-O2", "-static", "-pthread", "-o", program.path, source.path])
        guard compiled.status == 0, let contents = FileManager.default.contents(atPath: program.path) else {
            throw HermitError("cannot build the Linux baseline (a static glibc is in libc6-dev):\n\(compiled.output)")
        }
        return try initialRAMDisk(init: [UInt8](contents), in: folder)
    }

    /// A newc cpio archive in `folder` whose `/init` is `program`, with `/dev/console` and a
    /// `/proc/self/exe` link to `/init` (no procfs is mounted that early, and the Swift runtime
    /// finds itself through that path).
    public func initialRAMDisk(init program: [UInt8], in folder: URL) throws(HermitError) -> URL {
        var archive = CPIOArchive()
        archive.append(.directory(path: "dev", mode: 0o755))
        archive.append(.characterDevice(path: "dev/console", mode: 0o600, major: 5, minor: 1))
        archive.append(.directory(path: "proc", mode: 0o555))
        archive.append(.directory(path: "proc/self", mode: 0o555))
        archive.append(.symbolicLink(path: "proc/self/exe", target: "/init"))
        archive.append(.file(path: "init", mode: 0o755, contents: program))
        let disk = folder.appendingPathComponent("initrd.cpio")
        do { try Data(archive.bytes).write(to: disk) } catch {
            throw HermitError("cannot write \(disk.path): \(error.localizedDescription)")
        }
        return disk
    }

    /// A newc cpio archive in `folder` for a Linux guest that serves over its virtio-net card:
    /// Debian's busybox as `/bin/busybox`, the network modules, `server` as `/server`, and an
    /// `/init` script that mounts /dev, /proc, /sys and /tmp, loads the modules, gives eth0 the
    /// address QEMU's user network hands out (10.0.2.15/24 via 10.0.2.2, as its DHCP would),
    /// runs `/server` with `arguments`, prints `linux: memory used <KiB>` (MemTotal − MemFree)
    /// every second while it runs, and powers off when it ends.
    public func networkRAMDisk(server: URL, arguments: [String], modules: [URL], busybox: URL, in folder: URL) throws(HermitError) -> URL {
        var archive = CPIOArchive()
        for directory in ["dev", "proc", "sys", "tmp", "bin", "lib", "lib/modules"] { archive.append(.directory(path: directory, mode: 0o755)) }
        archive.append(.characterDevice(path: "dev/console", mode: 0o600, major: 5, minor: 1))
        func contents(_ url: URL) throws(HermitError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: url.path) else { throw HermitError("cannot read \(url.path)") }
            return [UInt8](data)
        }
        archive.append(.file(path: "bin/busybox", mode: 0o755, contents: try contents(busybox)))
        archive.append(.symbolicLink(path: "bin/sh", target: "busybox"))
        for module in modules { archive.append(.file(path: "lib/modules/" + module.lastPathComponent, mode: 0o644, contents: try contents(module))) }
        archive.append(.file(path: "server", mode: 0o755, contents: try contents(server)))
        let script = """
            #!/bin/busybox sh
            b=/bin/busybox
            $b mount -t devtmpfs dev /dev; $b mount -t proc proc /proc; $b mount -t sysfs sys /sys; $b mount -t tmpfs tmp /tmp
            for m in \(modules.map { $0.lastPathComponent }.joined(separator: " ")); do $b insmod /lib/modules/$m || echo "linux: insmod $m failed"; done
            $b ip link set lo up; $b ip link set eth0 up
            $b ip addr add 10.0.2.15/24 dev eth0; $b ip route add default via 10.0.2.2
            echo "linux: network up"
            /server \(arguments.joined(separator: " ")) &
            pid=$!
            while $b kill -0 $pid 2>/dev/null; do
              echo "linux: memory used $($b awk '/^MemTotal:/{t=$2} /^MemFree:/{f=$2} END{print t-f}' /proc/meminfo) KiB"
              $b sleep 1
            done
            echo "linux: server ended"
            $b poweroff -f

            """
        archive.append(.file(path: "init", mode: 0o755, contents: Array(script.utf8)))
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw HermitError("cannot create \(folder.path): \(error.localizedDescription)")
        }
        let disk = folder.appendingPathComponent("initrd-network.cpio")
        do { try Data(archive.bytes).write(to: disk) } catch {
            throw HermitError("cannot write \(disk.path): \(error.localizedDescription)")
        }
        return disk
    }

    /// Compiles Tools/LinuxBaseline/start.swift the ordinary way (`swiftc -static-executable
    /// -O`, its C header for the TSC and the debug-exit port) into `images/swift-start/start`.
    public func swiftStartProgram(toolchain: Toolchain) throws(HermitError) -> URL {
        let folder = root.appendingPathComponent("images/swift-start")
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw HermitError("cannot create \(folder.path): \(error.localizedDescription)")
        }
        let swiftc = URL(fileURLWithPath: toolchain.swift).deletingLastPathComponent().appendingPathComponent("swiftc").path
        let program = folder.appendingPathComponent("start")
        let tools = root.appendingPathComponent("Tools/LinuxBaseline")
        let compiled = try Shell.run(swiftc, ["-static-executable", "-O", "-import-objc-header", tools.appendingPathComponent("start.h").path,
                                              tools.appendingPathComponent("start.swift").path, "-o", program.path])
        guard compiled.status == 0 else { throw HermitError("cannot build Tools/LinuxBaseline/start.swift:\n\(compiled.output)") }
        return program
    }

    /// Linux booted like `image`: the same memory, processors, timeout and QEMU arguments.
    public func target(kernel: URL, initialRAMDisk: URL, like image: BuiltImage, instructionCounting: Bool) -> BootTarget {
        var target = BootTarget(image)
        target.name = "linux"
        target.kernel = kernel
        target.initialRAMDisk = initialRAMDisk
        target.commandLine = Self.commandLine(instructionCounting: instructionCounting)
        target.timeoutSeconds = max(target.timeoutSeconds, 600)
        return target
    }
}

import Foundation

/// `hermit run <executable>`: the config made up for running a Linux executable that no
/// config names.
///
/// Guarantees: an argument is taken for an executable only when it names an existing regular
/// file and is not a config (no `.toml`, no `configs/<name>.toml`); the config runs it in the
/// `linux` app with the Linux modules, as many processors as asked, and memory enough for the
/// program's pages, its copy in the initrd and the kernel's heap.
public enum ExecutableRun {
    /// The absolute path of `argument` if it names an executable file rather than a config.
    public static func executablePath(_ argument: String) -> String? {
        guard !argument.hasSuffix(".toml"), argument.contains("/") || !FileManager.default.fileExists(atPath: "configs/\(argument).toml") else { return nil }
        // A word without a slash names a config (as before), unless it is a file in the caller's directory.
        let caller = ProcessInfo.processInfo.environment["HERMIT_CALLER_DIRECTORY"] ?? FileManager.default.currentDirectoryPath
        let url = URL(fileURLWithPath: argument, relativeTo: URL(fileURLWithPath: caller))
        guard ProgramInitrd.isDirectory(url.path) == false else { return nil }
        return url.standardizedFileURL.path
    }

    /// The config for running `path`.
    public static func config(for path: String, memory: String?, cpus: Int?, arguments: [String]) throws(HermitError) -> ImageConfig {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        var config = ImageConfig(name: "run-" + safe, app: "linux", modules: ImageConfig.linuxModules)
        config.executable = path
        for argument in arguments where argument.contains(" ") || argument.isEmpty {
            throw HermitError("an argument cannot be empty or hold a space (the kernel command line splits at spaces): \"\(argument)\"")
        }
        config.programArguments = arguments
        config.cpus = cpus ?? 1
        // -O rather than -Osize: the kernel's size hardly matters next to the program's, and
        // -Osize copies the system-call frame with `rep movsb` (an instruction per byte).
        config.optimizeForSize = false
        config.timeoutSeconds = 600
        if let memory, let kib = ImageConfig.parseMemory(memory) {
            config.memoryKiB = kib
        } else {
            let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            // The program's pages, the initrd, its copy in the heap, and room to run.
            let needed = (3 * size + (192 << 20)) / 1024
            config.memoryKiB = max(256 * 1024, (needed + 65535) / 65536 * 65536)
        }
        return config
    }

    /// Gives `config` a virtio-net card on QEMU's user network, its address by DHCP, and these
    /// forwarded ports (as a config's `network`, `forward` and `ip` keys would).
    public static func addNetwork(_ config: inout ImageConfig, forwards: [String]) {
        config.network = "user"
        config.forwards = forwards
        config.machine = "q35"
        config.address = "dhcp"
        for module in ImageConfig.linuxNetworkModules where !config.modules.contains(module) { config.modules.append(module) }
    }

    /// `word` quoted for a POSIX shell when it needs it.
    public static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

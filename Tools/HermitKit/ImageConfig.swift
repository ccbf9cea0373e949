/// One image's configuration: which app, which modules, and how the VM is shaped.
///
/// Configs are small TOML files in `configs/` using only `key = value` lines with strings,
/// integers, booleans and arrays of strings, and `#` comments:
///
///     app = "hello"
///     modules = ["X86", "Boot"]
///     memory = "2M"
///     cpus = 1
///     cmdline = ""
///
/// Guarantees: ``parse(_:name:)`` accepts exactly that grammar and the keys listed in
/// ``Key``; anything else is a ``HermitError`` naming the line.
public struct ImageConfig: Equatable, Sendable {
    /// The config's name (its file name without `.toml`); also the image's file name.
    public var name: String
    /// The app directory under Apps/.
    public var app: String
    /// The kernel modules to link, by Lib name.
    public var modules: [String]
    /// Guest RAM in KiB.
    public var memoryKiB: Int = 64 * 1024
    /// Virtual CPUs.
    public var cpus: Int = 1
    /// The kernel command line.
    public var commandLine: String = ""
    /// Seconds the guest may run before `hermit run` stops it.
    public var timeoutSeconds: Int = 60
    /// Optimise for size (`-Osize`, default) or speed (`-O`).
    public var optimizeForSize: Bool = true
    /// Keep the messages of Swift runtime failures (`fatalError`, bounds) in the image.
    public var panicMessages: Bool = true
    /// Extra QEMU arguments (devices, networking).
    public var qemuArguments: [String] = []
    /// The QEMU machine: "microvm" (default) or "q35" (PCI through port I/O, with firmware
    /// that assigns BARs: what virtio-net-pci needs).
    public var machine: String = "microvm"
    /// "user": a virtio-net-pci card on QEMU's user network; nil: no network card.
    public var network: String? = nil
    /// Ports forwarded from 127.0.0.1 on the host to the guest, as "host:guest" (TCP) or
    /// "udp:host:guest".
    public var forwards: [String] = []
    /// An unmodified static Linux executable to run instead of an app (its path on the host,
    /// relative to the package root unless absolute); the image then runs the `linux` app.
    public var executable: String? = nil
    /// Host files and directories the program finds in its file system, as "path" (it appears
    /// as /<its last component>) or "path:/guest/path".
    public var files: [String] = []
    /// The program's environment, "NAME=VALUE" each (added to the default one).
    public var environment: [String] = []
    /// The program's arguments after its name.
    public var programArguments: [String] = []
    /// Log every system call of the program, with its arguments and result, like `strace`.
    public var strace = false

    /// The modules an image that runs a Linux executable links.
    public static let linuxModules = ["X86", "Boot", "Alloc", "Paging", "Sched", "ACPI", "APIC", "ELF", "CPIO", "Net", "LinuxABI", "LinuxRuntime"]
    /// What such an image links besides when it has a network card: the card's drivers and
    /// the module that hands the card to the Linux layer.
    public static let linuxNetworkModules = ["PCI", "Virtio", "LinuxNetwork"]
    /// An executable's address on the network card: "dhcp" (the default), or "a.b.c.d/n".
    public var address: String? = nil
    /// The gateway with a static address.
    public var gateway: String? = nil

    /// The keys a config may use.
    public enum Key: String, CaseIterable, Sendable {
        case app, modules, memory, cpus, cmdline, timeout, optimize
        case panicMessages = "panic_messages"
        case qemuArguments = "qemu_args"
        case machine, network, forward
        case executable, files, env, arguments, strace
        case ip, gateway
    }

    public init(name: String, app: String, modules: [String]) {
        self.name = name
        self.app = app
        self.modules = modules
    }

    /// Parses the text of a config file.
    public static func parse(_ text: String, name: String) throws(HermitError) -> ImageConfig {
        var values: [Key: TOMLValue] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = TOMLValue.stripComment(String(rawLine)).trimmed
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw HermitError("\(name).toml:\(lineNumber): expected 'key = value', found '\(line)'")
            }
            let keyText = String(line[..<equals]).trimmed
            guard let key = Key(rawValue: keyText) else {
                let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
                throw HermitError("\(name).toml:\(lineNumber): unknown key '\(keyText)' (known keys: \(known))")
            }
            guard values[key] == nil else { throw HermitError("\(name).toml:\(lineNumber): '\(keyText)' is set twice") }
            do {
                values[key] = try TOMLValue.parse(String(line[line.index(after: equals)...]).trimmed)
            } catch {
                throw HermitError("\(name).toml:\(lineNumber): \(error.description)")
            }
        }

        func string(_ key: Key) throws(HermitError) -> String? {
            guard let value = values[key] else { return nil }
            guard case .string(let s) = value else { throw HermitError("\(name).toml: '\(key.rawValue)' must be a string") }
            return s
        }
        func integer(_ key: Key, in range: ClosedRange<Int>) throws(HermitError) -> Int? {
            guard let value = values[key] else { return nil }
            guard case .integer(let i) = value, range.contains(i) else {
                throw HermitError("\(name).toml: '\(key.rawValue)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            return i
        }
        func strings(_ key: Key) throws(HermitError) -> [String]? {
            guard let value = values[key] else { return nil }
            guard case .strings(let list) = value else { throw HermitError("\(name).toml: '\(key.rawValue)' must be an array of strings") }
            return list
        }

        let executable = try string(.executable)
        if executable != nil, let app = try string(.app), app != "linux" {
            throw HermitError("\(name).toml: an 'executable' runs in the 'linux' app, not '\(app)'")
        }
        guard let app = try string(.app) ?? (executable != nil ? "linux" : nil), !app.isEmpty else {
            throw HermitError("\(name).toml: no 'app' (or 'executable') given")
        }
        let networked = values[.network] != nil
        guard let modules = try strings(.modules) ?? (executable != nil ? linuxModules + (networked ? linuxNetworkModules : []) : nil) else {
            throw HermitError("\(name).toml: no 'modules' given")
        }
        var config = ImageConfig(name: name, app: app, modules: modules)
        config.executable = executable
        if let files = try strings(.files) { config.files = files }
        if let environment = try strings(.env) {
            for entry in environment where !entry.contains("=") || entry.hasPrefix("=") || entry.contains(" ") {
                throw HermitError("\(name).toml: 'env' entries look like \"NAME=VALUE\" without spaces, not \"\(entry)\"")
            }
            config.environment = environment
        }
        if let arguments = try strings(.arguments) {
            for argument in arguments where argument.contains(" ") || argument.isEmpty {
                throw HermitError("\(name).toml: an argument cannot be empty or hold a space (the kernel command line splits at spaces): \"\(argument)\"")
            }
            config.programArguments = arguments
        }
        if let strace = values[.strace] {
            guard case .boolean(let b) = strace else { throw HermitError("\(name).toml: 'strace' must be true or false") }
            config.strace = b
        }
        if executable == nil, !config.files.isEmpty || !config.environment.isEmpty || !config.programArguments.isEmpty || config.strace {
            throw HermitError("\(name).toml: 'files', 'env', 'arguments' and 'strace' are for an 'executable'")
        }
        if let memory = try string(.memory) {
            guard let kib = parseMemory(memory) else {
                throw HermitError("\(name).toml: 'memory' must look like \"1280K\", \"2M\" or \"1G\", not \"\(memory)\"")
            }
            config.memoryKiB = kib
        }
        if let cpus = try integer(.cpus, in: 1...64) { config.cpus = cpus }
        if let commandLine = try string(.cmdline) { config.commandLine = commandLine }
        if let timeout = try integer(.timeout, in: 1...3600) { config.timeoutSeconds = timeout }
        if let optimize = try string(.optimize) {
            guard optimize == "size" || optimize == "speed" else {
                throw HermitError("\(name).toml: 'optimize' must be \"size\" or \"speed\", not \"\(optimize)\"")
            }
            config.optimizeForSize = optimize == "size"
        }
        if let messages = values[.panicMessages] {
            guard case .boolean(let b) = messages else { throw HermitError("\(name).toml: 'panic_messages' must be true or false") }
            config.panicMessages = b
        }
        if let arguments = try strings(.qemuArguments) { config.qemuArguments = arguments }
        if let machine = try string(.machine) {
            guard ["microvm", "q35", "pc"].contains(machine) else {
                throw HermitError("\(name).toml: 'machine' must be \"microvm\", \"q35\" or \"pc\", not \"\(machine)\"")
            }
            config.machine = machine
        }
        if let network = try string(.network) {
            guard network == "user" else { throw HermitError("\(name).toml: 'network' must be \"user\", not \"\(network)\"") }
            if values[.machine] == nil { config.machine = "q35" }   // the card is on PCI
            guard config.machine != "microvm" else {
                throw HermitError("\(name).toml: a network card needs PCI: set machine = \"q35\"")
            }
            config.network = network
        }
        if let address = try string(.ip) {
            guard executable != nil, config.network != nil else { throw HermitError("\(name).toml: 'ip' is for an 'executable' with a 'network'") }
            guard address == "dhcp" || Self.isAddressWithPrefix(address) else {
                throw HermitError("\(name).toml: 'ip' is \"dhcp\" or an address like \"10.0.2.15/24\", not \"\(address)\"")
            }
            config.address = address
        }
        if let gateway = try string(.gateway) {
            guard config.address != nil, config.address != "dhcp", Self.isAddressWithPrefix(gateway + "/32") else {
                throw HermitError("\(name).toml: 'gateway' is an address like \"10.0.2.2\", with a static 'ip'")
            }
            config.gateway = gateway
        }
        if let forwards = try strings(.forward) {
            for forward in forwards where PortForward(forward) == nil {
                throw HermitError("\(name).toml: 'forward' entries look like \"8080:80\" or \"udp:7007:7\" (host port:guest port), not \"\(forward)\"")
            }
            guard config.network != nil else { throw HermitError("\(name).toml: 'forward' needs network = \"user\"") }
            config.forwards = forwards
        }
        return config
    }

    /// Whether `text` is a dotted IPv4 address with a prefix length ("10.0.2.15/24").
    static func isAddressWithPrefix(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return false }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { $0.count <= 3 && Int($0).map { (0...255).contains($0) } ?? false }
    }

    /// The size in KiB: "1280K" → 1280, "2M" → 2048, "1G" → 1048576; nil for anything else.
    public static func parseMemory(_ text: String) -> Int? {
        guard let unit = text.last, let number = Int(text.dropLast()), number > 0, number <= 1 << 20 else { return nil }
        switch unit {
        case "K", "k": return number
        case "M", "m": return number * 1024
        case "G", "g": return number <= 1024 ? number * 1024 * 1024 : nil
        default: return nil
        }
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" || first == "\r" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}

/// One forwarded port: "8080:80" (TCP) or "udp:7007:7".
public struct PortForward: Equatable, Sendable {
    public var udp: Bool
    public var host: UInt16
    public var guest: UInt16

    public init?(_ text: String) {
        var parts = text.split(separator: ":")
        udp = parts.first == "udp"
        if udp || parts.first == "tcp" { parts.removeFirst() }
        guard parts.count == 2, let host = UInt16(parts[0]), let guest = UInt16(parts[1]), host != 0, guest != 0 else { return nil }
        self.host = host
        self.guest = guest
    }

    /// QEMU's `hostfwd` rule.
    public var rule: String { "hostfwd=\(udp ? "udp" : "tcp"):127.0.0.1:\(host)-:\(guest)" }
}

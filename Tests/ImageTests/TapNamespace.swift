import Foundation
import HermitKit

/// A network namespace of a test's own holding a tap device, `tap0` at 10.1.0.1/24, for one
/// guest at 10.1.0.2: tools run inside it talk to the guest over a real Linux link (no QEMU
/// user network in between), and nothing outside the namespace sees them.
///
/// Guarantees: `init` either creates the whole namespace or throws (removing what it made);
/// `remove` deletes it, and with it the tap and every address.
struct TapNamespace {
    let name: String
    let ip: String
    static let guest = "10.1.0.2"
    static let host = "10.1.0.1"

    init(purpose: String) throws {
        guard geteuid() == 0, FileManager.default.fileExists(atPath: "/dev/net/tun") else {
            throw HermitError("needs root and /dev/net/tun for a tap device")
        }
        guard let ip = Shell.which("ip") else { throw HermitError("needs iproute2 (ip)") }
        self.ip = ip
        name = "hermit-\(purpose)-\(getpid())"
        for step in [["netns", "add", name],
                     ["netns", "exec", name, "ip", "tuntap", "add", "dev", "tap0", "mode", "tap"],
                     ["netns", "exec", name, "ip", "addr", "add", "\(TapNamespace.host)/24", "dev", "tap0"],
                     ["netns", "exec", name, "ip", "link", "set", "tap0", "up"],
                     ["netns", "exec", name, "ip", "link", "set", "lo", "up"]] {
            let result = try Shell.run(ip, step)
            guard result.status == 0 else {
                remove()
                throw HermitError("\(step.joined(separator: " ")): \(result.output)")
            }
        }
    }

    func remove() { _ = try? Shell.run(ip, ["netns", "del", name]) }

    /// `target` booted on the tap with the guest's static address (the namespace has no DHCP).
    func attach(_ target: BootTarget, commandLine: String) -> BootTarget {
        var target = target
        target.forwards = nil
        target.commandLine = "ip=\(TapNamespace.guest)/24 gateway=\(TapNamespace.host) " + commandLine
        target.extraArguments += ["-netdev", "tap,id=net0,ifname=tap0,script=no,downscript=no",
                                  "-device", "virtio-net-pci,netdev=net0,disable-legacy=on"]
        return target
    }

    /// Runs `tool` inside the namespace.
    func run(_ tool: String, _ arguments: [String], timeout: TimeInterval) throws -> Shell.Result {
        try Shell.run(ip, ["netns", "exec", name, tool] + arguments, timeout: timeout)
    }

    /// Starts `tool` inside the namespace, in the background.
    func start(_ tool: String, _ arguments: [String]) throws -> BackgroundProcess {
        try BackgroundProcess(ip, ["netns", "exec", name, tool] + arguments)
    }

    /// httpd's `/stats` page fetched from inside the namespace.
    func stats(curl: String) throws -> [String: Int] {
        ImageTests.figures(try run(curl, ["-s", "-m", "30", "http://\(TapNamespace.guest)/stats"], timeout: 60).output)
    }
}

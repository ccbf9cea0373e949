/// The httpd application: an HTTP server on the first virtio network card.
/// Command line: `ip=<a.b.c.d>/<prefix>` (default 10.0.2.15/24, QEMU's user network),
/// `gateway=<a.b.c.d>` (default 10.0.2.2), `port=<n>` (default 80). Runs until a request
/// for `/shutdown`, then exits 0.
import Boot
import Net
import Sched
import Virtio
import X86

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        let arguments = boot.arguments
        guard let card = VirtioNet.first else {
            print("httpd: no virtio network card (add -device virtio-net-pci)")
            return 1
        }
        guard let configuration = InterfaceConfiguration(address: Substring(arguments.value(of: "ip") ?? "10.0.2.15/24"),
                                                         gateway: Substring(arguments.value(of: "gateway") ?? "10.0.2.2")) else {
            print("httpd: malformed ip= or gateway= on the command line")
            return 2
        }
        let port = UInt16(arguments.value(of: "port") ?? "") ?? 80
        let ticksPerMillisecond = max(TimeSource.ticksPerSecond / 1000, 1)
        let stack = NetworkStack(device: card, configuration: configuration,
                                 clock: { TimeSource.now / ticksPerMillisecond }, idle: { Threads.yield() })
        guard var server = HTTPServer(stack: stack, port: port) else {
            print("httpd: cannot listen on port \(port)")
            return 3
        }
        print("httpd: listening on \(configuration.address):\(port), MAC \(card.macAddress)")
        while !server.shutdownRequested {
            if !server.step() { Threads.yield() }
        }
        // Let the last response go out.
        for _ in 0..<2000 { _ = server.step() }
        let counters = stack.counters
        print("httpd: served \(server.requestsServed) requests; frames in \(counters.framesReceived), out \(counters.framesSent), malformed \(counters.malformed), bad checksums \(counters.badChecksums)")
        return 0
    }
}

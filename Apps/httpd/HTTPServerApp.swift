/// The httpd application: an HTTP server on the first virtio network card.
/// Command line: `ip=dhcp` (the default) or `ip=<a.b.c.d>/<prefix>` with `gateway=<a.b.c.d>`,
/// `port=<n>` (default 80). Also echoes UDP datagrams
/// on port 7. Runs until a request for `/shutdown`, then exits 0.
import APIC
import Boot
import Net
import Sched
import Virtio
import X86

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        let arguments = boot.arguments
        guard let card = VirtioNet.takeCards().first else {
            print("httpd: no virtio network card (add -device virtio-net-pci)")
            return 1
        }
        // Received frames wake this thread by interrupt (MSI-X through the local APIC) when the
        // APIC module runs; otherwise it polls, yielding between rounds.
        let me = Threads.current
        let interrupts = APICModule.allocateMessageInterrupt({ Threads.wake(me) }).map { card.useInterrupts($0) } ?? false
        print("httpd: \(interrupts ? "interrupt-driven (MSI-X)" : "polling")")
        let idle = { if interrupts { Threads.waitForWake(nanoseconds: 10_000_000) } else { Threads.yield() } }
        let ticksPerMillisecond = max(TimeSource.ticksPerSecond / 1000, 1)
        let stack = NetworkStack(device: card, configuration: InterfaceConfiguration(address: .any, prefixLength: 0, gateway: nil),
                                 clock: { TimeSource.now / ticksPerMillisecond }, idle: idle)
        let address = arguments.value(of: "ip") ?? "dhcp"
        if address == "dhcp" {
            guard let lease = DHCPClient(stack: stack).acquire() else {
                print("httpd: no DHCP server answered")
                return 2
            }
            print("httpd: DHCP lease \(lease.address)/\(lease.prefixLength), gateway \(lease.gateway?.description ?? "none")")
        } else {
            guard let configuration = InterfaceConfiguration(address: Substring(address), gateway: arguments.value(of: "gateway").map { Substring($0) }) else {
                print("httpd: malformed ip= or gateway= on the command line")
                return 2
            }
            stack.configuration = configuration
        }
        let port = UInt16(arguments.value(of: "port") ?? "") ?? 80
        guard var server = HTTPServer(stack: stack, port: port) else {
            print("httpd: cannot listen on port \(port)")
            return 3
        }
        // A UDP echo service on port 7 (RFC 862), for checking UDP from the host.
        let echo = UDPSocket(stack: stack, port: 7)
        print("httpd: listening on \(stack.configuration.address):\(port), MAC \(card.macAddress)")
        while !server.shutdownRequested {
            var busy = server.step()
            if let echo, let datagram = echo.tryReceive() {
                echo.send(datagram.data, to: datagram.from, port: datagram.port)
                busy = true
            }
            if !busy { idle() }
        }
        // Let the last response go out.
        for _ in 0..<2000 { _ = server.step() }
        let counters = stack.counters
        print("httpd: served \(server.requestsServed) requests; frames in \(counters.framesReceived), out \(counters.framesSent), malformed \(counters.malformed), bad checksums \(counters.badChecksums)")
        return 0
    }
}

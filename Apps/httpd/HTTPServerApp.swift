/// The httpd application: an HTTP server (Libs/HTTP) on the first virtio network card.
/// Command line: `ip=dhcp` (the default) or `ip=<a.b.c.d>/<prefix>` with `gateway=<a.b.c.d>`,
/// `port=<n>` (default 80), `max_tcp_connections=<n>` (the stack's table, default 1024),
/// `fin_timeout=<ms>` (how long an orphan waits for its peer's FIN, default 60000),
/// `synack_retries=<n>` (SYN-ACKs sent before a half-open connection is dropped, default 5); the
/// server's limits `max_connections=<n>`,
/// `header_timeout=<ms>`, `idle_timeout=<ms>`, `body_timeout=<ms>`, `send_timeout=<ms>`.
/// Also echoes UDP datagrams on port 7. Runs until a request for `/shutdown`, then exits 0.
import Alloc
import APIC
import Boot
import HTTP
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
        let clock = { TimeSource.now / ticksPerMillisecond }
        let stack = NetworkStack(device: card, configuration: InterfaceConfiguration(address: .any, prefixLength: 0, gateway: nil),
                                 clock: clock, idle: idle)
        // What peers may make the stack buffer: a quarter of the memory free now, so a flood
        // is met by dropped segments and refused connections long before the heap runs out.
        let free = RuntimeAllocator.statistics.framesFree
        if free > 0 { stack.limits.bufferBudget = free * 4096 / 4 }
        // And the heap's "can I have this?", once per poll: with less than 4 MiB of frames left
        // the stack takes no more data or connections until memory is back.
        stack.memoryHeadroom = { Frames.counts.free * 4096 }
        let address = arguments.value(of: "ip") ?? "dhcp"
        if address == "dhcp" {
            guard let lease = DHCPClient(stack: stack).acquireLease() else {
                print("httpd: no DHCP server answered")
                return 2
            }
            let granted = lease.configuration
            print("httpd: DHCP lease \(granted.address)/\(granted.prefixLength), gateway \(granted.gateway?.description ?? "none"), \(lease.seconds.map { "\($0) s" } ?? "infinite")")
        } else {
            guard let configuration = InterfaceConfiguration(address: Substring(address), gateway: arguments.value(of: "gateway").map { Substring($0) }) else {
                print("httpd: malformed ip= or gateway= on the command line")
                return 2
            }
            stack.configuration = configuration
        }
        if let value = arguments.value(of: "max_tcp_connections").flatMap({ Int($0) }), value > 0 { stack.limits.maximumConnections = value }
        if let value = arguments.value(of: "fin_timeout").flatMap({ UInt64($0) }), value > 0 { stack.limits.finTimeout = value }
        if let value = arguments.value(of: "synack_retries").flatMap({ Int($0) }), (1...10).contains(value) { stack.limits.synAckRetries = value }
        let port = UInt16(arguments.value(of: "port") ?? "") ?? 80
        guard let listener = TCPListener(stack: stack, port: port, backlog: 64) else {
            print("httpd: cannot listen on port \(port)")
            return 3
        }
        var limits = HTTPLimits()
        if let value = arguments.value(of: "max_connections").flatMap({ Int($0) }), value > 0 { limits.maximumConnections = value }
        if let value = arguments.value(of: "header_timeout").flatMap({ UInt64($0) }) { limits.headerTimeout = value }
        if let value = arguments.value(of: "idle_timeout").flatMap({ UInt64($0) }) { limits.idleTimeout = value }
        if let value = arguments.value(of: "body_timeout").flatMap({ UInt64($0) }) { limits.bodyTimeout = value }
        if let value = arguments.value(of: "send_timeout").flatMap({ UInt64($0) }) { limits.sendTimeout = value }
        let board = StatusBoard()
        var server = HTTPServer(listener: listener, responder: Routes(figures: { board.report(stack) }), limits: limits)
        // A UDP echo service on port 7 (RFC 862), for checking UDP from the host.
        let echo = UDPSocket(stack: stack, port: 7)
        print("httpd: listening on \(stack.configuration.address):\(port), MAC \(card.macAddress)")
        while !server.responder.shutdownRequested {
            var busy = stack.poll()
            board.server = server.counters
            board.connections = server.connectionCount
            board.bufferedInput = server.bufferedInputBytes
            busy = server.step(now: clock()) || busy
            if let echo, let datagram = echo.tryReceive() {
                echo.send(datagram.data, to: datagram.from, port: datagram.port)
                busy = true
            }
            // Send what this round wrote without waiting for the next one.
            if busy { stack.poll(budget: 0) } else { idle() }
        }
        // Let the last response go out.
        for _ in 0..<2000 {
            stack.poll()
            _ = server.step(now: clock())
        }
        let counters = stack.counters
        print("httpd: served \(server.counters.requests) requests; frames in \(counters.framesReceived), out \(counters.framesSent), malformed \(counters.malformed), bad checksums \(counters.badChecksums)")
        return 0
    }
}

/// The figures `/stats` reports: the server's counters as of the loop's last round, the
/// stack's, and the heap's.
final class StatusBoard {
    var server = HTTPServerCounters()
    var connections = 0
    var bufferedInput = 0

    func report(_ stack: NetworkStack) -> String {
        let memory = RuntimeAllocator.statistics
        let net = stack.counters
        return """
            heap_bytes=\(memory.heapBytesInUse)
            heap_peak_bytes=\(memory.heapPeakBytes)
            http_connections=\(connections)
            http_buffered_input=\(bufferedInput)
            http_requests=\(server.requests)
            http_refused_requests=\(server.refusedRequests)
            http_refused_at_limit=\(server.refusedAtLimit)
            http_evicted_idle=\(server.evictedIdle)
            http_timed_out=\(server.timedOut)
            http_closed_idle=\(server.closedIdle)
            http_reset_stalled=\(server.resetStalled)
            http_closed_mid_request=\(server.closedMidRequest)
            tcp_connections=\(stack.connectionCount)
            net_malformed=\(net.malformed)
            net_bad_checksums=\(net.badChecksums)
            net_fragments_dropped=\(net.fragmentsDropped)
            net_backlog_full=\(net.backlogFull)
            net_no_socket=\(net.noSocket)
            net_half_open_evicted=\(net.halfOpenEvicted)
            net_time_wait_evicted=\(net.timeWaitEvicted)
            net_connection_limit=\(net.connectionLimit)
            net_memory_pressure=\(net.memoryPressure)
            net_out_of_order_dropped=\(net.outOfOrderDropped)
            net_transmit_dropped=\(net.transmitDropped)
            tcp_fast_retransmits=\(net.fastRetransmits)
            tcp_retransmission_timeouts=\(net.retransmissionTimeouts)
            tcp_tail_loss_probes=\(net.tailLossProbes)
            net_buffered_bytes=\(stack.bufferedBytes)
            net_buffer_budget=\(stack.limits.bufferBudget)
            net_memory_low=\(stack.memoryLow ? 1 : 0)
            tcp_states=\(stack.connectionStates.map { "\($0.state):\($0.count)" }.joined(separator: ","))

            """
    }
}

import Alloc
import LinuxABI
import Net
import Sched
import X86

/// A network card brought up for the program, as a module that drives one hands it over
/// (``LinuxRuntime/provideNetwork(_:)``): its TCP/IP stack, and how the thread that drives the
/// stack sleeps until a frame arrives or a deadline (the stack's clock) passes.
public struct ProgramNetwork {
    public let stack: NetworkStack
    public let waitForFrames: @Sendable (_ deadline: UInt64?) -> Void

    public init(stack: NetworkStack, waitForFrames: @escaping @Sendable (_ deadline: UInt64?) -> Void) {
        self.stack = stack
        self.waitForFrames = waitForFrames
    }
}

/// The network side of the mechanism: before the program starts, the card is brought up and
/// given its address (`ip=dhcp`, the default, or `ip=a.b.c.d/n` with `gateway=a.b.c.d` among
/// the kernel's words); then one kernel thread drives the stack for the program's sockets.
///
/// Guarantees: the stack is only ever touched under the process's lock (by the driving thread
/// and by the calls that use sockets), so it is driven by one context at a time; the card's
/// notification a pass through the lock owes is taken under it and rung just after it; the driving
/// thread sleeps until the card's interrupt or the stack's next timer (or what the card's
/// module allows at most), and wakes, whenever a poll did anything, the threads waiting for events it
/// concerns — no busy polling. What
/// peers can make the stack buffer is a quarter of the memory free at start, and it takes no
/// more while less than the stack's reserve is free. A card that gets no address ends the
/// machine with the reason and ``cannotExecute``, before the program runs.
extension LinuxRuntime {
    /// The module that drives a network card, if one is linked: it makes the stack on demand.
    static let networkProvider = InterruptSafeLock<(@Sendable () -> ProgramNetwork?)?>(nil)

    /// Registers the card's bring-up (once; false if one is registered already).
    public static func provideNetwork(_ bringUp: @escaping @Sendable () -> ProgramNetwork?) -> Bool {
        networkProvider.withLock { provider in
            guard provider == nil else { return false }
            provider = bringUp
            return true
        }
    }

    /// Brings the card up and gives it its address; nil when no module provides a card.
    static func startNetwork(kernelWords: [String]) -> ProgramNetwork? {
        guard let bringUp = networkProvider.withLock({ $0 }) else { return nil }
        guard let network = bringUp() else { refuse("the image has a network module but no usable network card (add -device virtio-net-pci)") }
        let stack = network.stack
        let free = Frames.counts.free
        if free > 0 { stack.limits.bufferBudget = free * 4096 / 4 }
        stack.memoryHeadroom = { Frames.counts.free * 4096 }
        func word(_ key: String) -> Substring? {
            kernelWords.last { $0.hasPrefix(key + "=") }.map { $0.dropFirst(key.utf8.count + 1) }
        }
        let address = word("ip") ?? "dhcp"
        if address == "dhcp" {
            guard let lease = DHCPClient(stack: stack).acquireLease() else { refuse("no DHCP server answered on the network card") }
            let granted = lease.configuration
            Console.write("hermit: network \(granted.address)/\(granted.prefixLength) by DHCP, gateway \(granted.gateway?.description ?? "none")\n")
        } else {
            guard let configuration = InterfaceConfiguration(address: address, gateway: word("gateway")) else {
                refuse("malformed ip= or gateway= on the kernel command line")
            }
            stack.configuration = configuration
        }
        // From here the stack is polled under the process's lock: the card's notifications
        // are rung after the lock is released (each is a trap into the VMM).
        stack.device.deferNotifications()
        return network
    }

    /// Starts the thread that drives the process's stack: it polls it under the process's
    /// lock, wakes the threads waiting for events when anything happened, and otherwise
    /// sleeps until a frame arrives or the stack's next timer.
    static func driveNetwork(_ waitForFrames: @escaping @Sendable (UInt64?) -> Void) {
        let driver = Threads.spawn(priority: .high) {
            while true {
                let profiling = CallProfile.isOn
                let asked = profiling ? TimeSource.now : 0
                var entered: UInt64 = 0, finished: UInt64 = 0
                let (busy, deadline, doorbell, woken) = process.withLock { process -> (Bool, UInt64?, (any DeviceDoorbell)?, [ThreadID]) in
                    if profiling { entered = TimeSource.now }
                    defer { if profiling { finished = TimeSource.now } }
                    guard let process, let stack = process.network else { return (false, nil, nil, []) }
                    let busy = stack.poll()
                    return (busy, stack.nextDeadline, stack.device.takeDoorbell(), busy ? eventWaitersToWake(process) : [])
                }
                doorbell?.ring()
                if profiling { CallProfile.add(CallProfile.networkPoll, waiting: entered &- asked, working: finished &- entered, sleeping: 0, counts: true) }
                for thread in woken { Threads.wake(thread) }
                if busy { continue }
                waitForFrames(deadline)
            }
        }
        if driver == nil { refuse("no memory for the network's thread") }
    }

    /// Before the machine ends with the program: lets what the program sent reach its peers,
    /// as Linux's sockets do after `exit` — polls the stack until it buffers nothing (bytes
    /// sent and not yet acknowledged, or received and never read), for at most a second.
    static func drainNetwork() {
        for _ in 0..<1000 {
            let (pending, doorbell) = process.withLock { process -> (Bool, (any DeviceDoorbell)?) in
                guard let stack = process?.network else { return (false, nil) }
                stack.poll()
                return (stack.bufferedBytes > 0, stack.device.takeDoorbell())
            }
            doorbell?.ring()
            guard pending else { return }
            Threads.sleep(nanoseconds: 1_000_000)
        }
    }
}

import APIC
import Boot
import LinuxRuntime
import Net
import Sched
import Virtio
import X86

/// Start-up of the Linux layer's network: offers the first virtio network card to
/// ``LinuxRuntime``, which brings it up (its address by DHCP or from the command line) before
/// the program starts and then drives its stack for the program's sockets.
///
/// Guarantees: the card is taken out of Virtio's table only when the program starts, by the
/// one thread that makes its stack; received frames raise its MSI-X interrupt, which wakes the
/// thread waiting for frames (the driving thread, or the start-up's DHCP exchange); an idle
/// card costs one look every 20 ms (a missed interrupt costs no more than that); without a
/// local APIC or MSI-X the waits end every millisecond instead, so frames are still seen. A machine without a card is reported by
/// ``LinuxRuntime`` with the reason, before the program runs.
public enum LinuxNetworkModule: KernelModule {
    public static func start(_ kernel: inout KernelResources) {
        guard LinuxRuntime.provideNetwork({ bringUp() }) else { Panic.halt("LinuxNetwork: a network was provided already") }
    }

    /// The thread to wake when a frame arrives.
    static let waiter = InterruptSafeLock<ThreadID?>(nil)

    static func bringUp() -> ProgramNetwork? {
        guard let card = VirtioNet.takeCards().first else { return nil }
        let interrupts = APICModule.allocateMessageInterrupt({
            if let thread = waiter.withLock({ $0 }) { Threads.wake(thread) }
        }).map { card.useInterrupts($0) } ?? false
        let ticksPerMillisecond = max(TimeSource.ticksPerSecond / 1000, 1)
        let clock: @Sendable () -> UInt64 = { TimeSource.now / ticksPerMillisecond }
        // With the interrupt, a wait still ends after 20 ms (a missed interrupt costs no more
        // than that, as in the httpd app); without it, every millisecond.
        let longest: UInt64 = interrupts ? 20 : 1
        let wait: @Sendable (UInt64?) -> Void = { deadline in
            waiter.withLock { $0 = Threads.current }
            let now = clock()
            let milliseconds = min(deadline.map { $0 > now ? $0 - now : 0 } ?? longest, longest)
            if milliseconds > 0 { Threads.waitForWake(nanoseconds: milliseconds * 1_000_000) } else { Threads.yield() }
        }
        let stack = NetworkStack(device: card, configuration: InterfaceConfiguration(address: .any, prefixLength: 0, gateway: nil),
                                 clock: clock, idle: { wait(clock() + 10) })
        Console.write("hermit: network card \(card.macAddress), \(interrupts ? "interrupt-driven (MSI-X)" : "polled every millisecond")\n")
        return ProgramNetwork(stack: stack, waitForFrames: wait)
    }
}

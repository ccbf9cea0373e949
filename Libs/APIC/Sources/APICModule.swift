import ACPI
import Boot
import Paging
import Sched
import X86

/// Starts the APIC module: the local APIC on (x2APIC mode where the CPU has it, xAPIC
/// through its mapped register page otherwise), spurious and error vectors handled, the
/// scheduler's tickless timer installed, interrupts enabled.
public enum APICModule: KernelModule {
    /// APIC errors seen so far.
    static let errors = InterruptSafeLock(0)
    /// The boot processor's local APIC, once started.
    static let local = InterruptSafeLock<LocalAPIC?>(nil)
    /// The processors the ACPI MADT lists (empty when the VMM gave no ACPI tables).
    static let discovered = InterruptSafeLock<[MultipleAPICDescriptionTable.Processor]>([])

    /// The I/O APICs, with the first global interrupt each handles.
    static let ioAPICs = InterruptSafeLock<[(apic: IOAPIC, base: UInt32, lines: Int)]>([])
    /// ISA interrupt overrides from the MADT.
    static let table = InterruptSafeLock<MultipleAPICDescriptionTable?>(nil)

    /// The usable processors the firmware describes (at least 1: the one running).
    public static var processorCount: Int {
        max(1, discovered.withLock { $0.filter { $0.usable }.count })
    }

    public static func start(_ kernel: inout KernelResources) {
        if let rsdp = kernel.boot.rsdp {
            do {
                let madt = try MultipleAPICDescriptionTable(tables: try SystemDescriptionTables(rsdp: rsdp, memory: kernel.firmwareMemory))
                discovered.withLock { $0 = madt.processors }
                table.withLock { $0 = madt }
                for ioAPIC in madt.ioAPICs {
                    guard KernelMemory.mapUncached(PhysicalRange(start: ioAPIC.address, size: 4096)),
                          let device = kernel.ioAPIC(at: ioAPIC.address) else { continue }
                    let lines = device.lineCount
                    for line in 0..<lines { device.mask(line: line) }
                    ioAPICs.withLock { $0.append((device, ioAPIC.interruptBase, lines)) }
                }
            } catch {
                print("APIC: ignoring unreadable ACPI tables")
            }
        }
        let access: LocalAPIC.Access
        if LocalAPIC.isX2APICSupported {
            access = .x2APIC
        } else {
            guard KernelMemory.mapUncached(PhysicalRange(start: LocalAPIC.registerPage, size: 4096)) else {
                Panic.halt("APIC: cannot map the local APIC's register page")
            }
            access = .xAPIC
        }
        let apic = LocalAPIC(access: access)
        local.withLock { $0 = apic }
        apic.enable(spuriousVector: APIC.Vector.spurious)
        InterruptDispatch.register(vector: APIC.Vector.spurious) { _ in }   // no EOI for spurious interrupts
        apic.setErrorVector(APIC.Vector.error)
        InterruptDispatch.register(vector: APIC.Vector.error) { _ in
            _ = apic.readErrorStatus()
            errors.withLock { $0 += 1 }
            apic.signalEndOfInterrupt()
        }
        // The timer and a wake-up IPI both ask the scheduler to look at this processor's queues.
        let schedulerInterrupt: InterruptDispatch.Handler = { frame in
            SampleProfiler.sample(frame)
            apic.signalEndOfInterrupt()
            CoreScheduler.timerInterrupt()
        }
        InterruptDispatch.register(vector: APIC.Vector.timer, schedulerInterrupt)
        InterruptDispatch.register(vector: APIC.Vector.wakeUp, schedulerInterrupt)
        let deadlineMode = CPUID.features().tscDeadline
        let timer: any WakeupTimer
        if deadlineMode {
            apic.configureTimer(vector: APIC.Vector.timer, mode: .tscDeadline)
            timer = TSCDeadlineTimer(apic: apic)
        } else {
            apic.configureTimer(vector: APIC.Vector.timer, mode: .oneShot)
            timer = OneShotTimer(apic: apic)
        }
        coreAPICIDs.withLock { $0 = [apic.id] }
        CoreScheduler.installTimer(timer, kick: { core in
            guard let target = coreAPICIDs.withLock({ core < $0.count ? $0[core] : nil }) else { return }
            apic.sendInterrupt(vector: APIC.Vector.wakeUp, to: target)
        })
        Processor.enableInterrupts()
        startApplicationProcessors(apic: apic, kernel: kernel, deadlineMode: deadlineMode)
    }

    /// Processors that failed to start.
    static let failedStarts = InterruptSafeLock(0)
    /// The APIC ID of each processor index (index 0: the boot processor).
    static let coreAPICIDs = InterruptSafeLock<[UInt32]>([])

    /// Starts every other usable processor the MADT lists; each enables its local APIC and
    /// waits, halted, for work.
    static func startApplicationProcessors(apic: LocalAPIC, kernel: borrowing KernelResources, deadlineMode: Bool) {
        let me = apic.id
        let others = discovered.withLock { $0.filter { $0.usable && $0.apicID != me } }
        guard !others.isEmpty else { return }
        ApplicationProcessors.setEntry { index, context in
            let local = LocalAPIC(access: apic.access)
            local.enable(spuriousVector: APIC.Vector.spurious)
            local.setErrorVector(APIC.Vector.error)
            local.configureTimer(vector: APIC.Vector.timer, mode: deadlineMode ? .tscDeadline : .oneShot)
            CoreScheduler.runProcessor(index, context: context)
        }
        let ticksPerMicrosecond = max(TimeSource.ticksPerSecond / 1_000_000, 1)
        for (offset, processor) in others.enumerated() {
            guard let stack = kernel.threadStacks.take(), let interruptStack = kernel.threadStacks.take() else { break }
            let index = offset + 1
            coreAPICIDs.withLock { ids in
                while ids.count <= index { ids.append(0) }
                ids[index] = processor.apicID
            }
            let started = ApplicationProcessors.start(apicID: processor.apicID, index: index, stack: stack,
                                                      interruptStack: interruptStack, apic: apic,
                                                      ticksPerMicrosecond: ticksPerMicrosecond, kernel: kernel)
            // Started means it reached the kernel; it takes threads once its scheduler is up.
            // Wait for that (up to 1 s), so the application sees every processor at once.
            var online = false
            if started {
                let deadline = TimeSource.now &+ TimeSource.ticksPerSecond
                repeat {
                    online = CoreScheduler.isOnline(index)
                    if !online { Processor.pause() }
                } while !online && TimeSource.now < deadline
            }
            if !online { failedStarts.withLock { $0 += 1 } }
        }
    }

    /// Routes ISA interrupt `irq` (through the MADT's overrides and the I/O APIC that serves
    /// it) to `vector` on the boot processor and installs `handler` for it, which runs with
    /// interrupts off and is followed by the end-of-interrupt. Returns false when no I/O APIC
    /// serves that interrupt.
    public static func routeISAInterrupt(_ irq: UInt8, vector: UInt8, handler: @escaping InterruptDispatch.Handler) -> Bool {
        guard let apic = local.withLock({ $0 }), let input = ioAPICInput(forISA: irq) else { return false }
        guard InterruptDispatch.register(vector: vector, { frame in
            handler(frame)
            apic.signalEndOfInterrupt()
        }) else { return false }
        input.device.route(line: input.line, vector: vector, to: apic.id,
                           activeLow: input.activeLow, levelTriggered: input.levelTriggered)
        return true
    }

    /// Vectors handed out for message-signalled interrupts so far.
    static let nextMessageVector = InterruptSafeLock<UInt8>(0x40)

    /// A vector for a device's message-signalled interrupt, delivered to the boot processor:
    /// `handler` runs (interrupts off) and the interrupt is acknowledged. Returns the message
    /// for the device, or nil when the vectors (0x40...0xEF) are used up or no local APIC runs.
    public static func allocateMessageInterrupt(_ handler: @escaping @Sendable () -> Void) -> MessageSignalledInterrupt? {
        guard let apic = local.withLock({ $0 }) else { return nil }
        guard let vector = nextMessageVector.withLock({ next -> UInt8? in
            guard next <= 0xEF else { return nil }
            defer { next += 1 }
            return next
        }) else { return nil }
        guard InterruptDispatch.register(vector: vector, { _ in
            handler()
            apic.signalEndOfInterrupt()
        }) else { return nil }
        return MessageSignalledInterrupt(destinationAPIC: apic.id, vector: vector)
    }

    /// Masks ISA interrupt `irq` again.
    public static func maskISAInterrupt(_ irq: UInt8) {
        if let input = ioAPICInput(forISA: irq) { input.device.mask(line: input.line) }
    }

    /// The I/O APIC and input line ISA interrupt `irq` arrives on (after the MADT's
    /// overrides), with its polarity and trigger; nil when no I/O APIC serves it.
    static func ioAPICInput(forISA irq: UInt8) -> (device: IOAPIC, line: Int, activeLow: Bool, levelTriggered: Bool)? {
        let target = table.withLock { $0?.globalInterrupt(forISA: irq) } ?? (line: UInt32(irq), activeLow: false, levelTriggered: false)
        return ioAPICs.withLock { list in
            for entry in list where target.line >= entry.base && Int(target.line - entry.base) < entry.lines {
                return (entry.apic, Int(target.line - entry.base), target.activeLow, target.levelTriggered)
            }
            return nil
        }
    }

    /// Processors running (the boot processor included).
    public static var processorsOnline: Int { ApplicationProcessors.onlineCount }
}

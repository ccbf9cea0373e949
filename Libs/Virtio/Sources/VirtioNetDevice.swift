import Net
import PCI
import Boot
import X86

/// A virtio network card (virtio 1.2 §5.1) driven by polling: queue 0 receives, queue 1
/// transmits, every buffer one 4 KiB DMA page.
///
/// Guarantees: received frames are copied out of DMA memory before their buffer goes back to
/// the device, and a length the device reports beyond its buffer is dropped (counted); a
/// frame is transmitted only if it fits a buffer; `transmit` never waits (false when every
/// buffer is in flight).
public final class VirtioNetDevice: NetworkDevice {
    /// Bytes of the virtio-net header in front of every frame (VERSION_1: 12).
    static let headerLength = 12
    static let featureMAC: UInt64 = 1 << 5
    static let bufferSize = 4096
    /// Largest frame: Ethernet header + 1500 bytes of payload.
    public static let maximumFrame = 1514

    let transport: VirtioPCITransport
    let receiveQueue: Virtqueue
    let transmitQueue: Virtqueue
    let receiveBuffers: [DMABuffer]
    let transmitBuffers: [DMABuffer]
    /// Which buffer each descriptor carries.
    var receiveBufferOf: [Int]
    var transmitBufferOf: [Int]
    var freeTransmitBuffers: [Int]
    public let macAddress: MACAddress
    public private(set) var droppedReceives = 0
    var receiveBuffersOffered = false
    /// The card's MSI-X table, if it has one the kernel could map.
    let interruptTable: MessageInterruptTable?
    /// Whether the transmit queue currently asks for interrupts (only while it was full).
    var transmitInterruptsOn = false
    /// Whether received frames raise an interrupt.
    public private(set) var interruptsEnabled = false
    var framesQueued = false
    /// The transmit queue's doorbell; with `defersNotifications`, a flush only marks it owed.
    let transmitDoorbell: VirtqueueDoorbell
    var defersNotifications = false
    var doorbellOwed = false

    /// Brings the card up. `descriptorTable` makes a queue's descriptor table of the given
    /// size (the fence's), or nil when memory is exhausted. `page` hands out one zeroed 4 KiB DMA page, or nil when memory is
    /// exhausted.
    public init(transport: VirtioPCITransport, interruptTable: MessageInterruptTable? = nil,
                descriptorTable: (Int) -> VirtqueueDescriptorTable?, page: () -> DMABuffer?) throws(VirtioError) {
        self.transport = transport
        self.interruptTable = interruptTable
        let features = try transport.negotiate(VirtioPCITransport.featureVersion1 | VirtioNetDevice.featureMAC)
        func makeQueue(_ index: Int) throws(VirtioError) -> Virtqueue {
            let maximum = transport.maximumQueueSize(index)
            guard maximum > 0 else { throw .noQueue(index) }
            var size = 1
            while size * 2 <= min(maximum, 128) { size *= 2 }
            guard let descriptors = descriptorTable(size), let available = page(), let used = page() else { throw .outOfMemory }
            return Virtqueue(size: size, descriptors: descriptors, available: available, used: used)
        }
        receiveQueue = try makeQueue(0)
        transmitQueue = try makeQueue(1)
        var receive: [DMABuffer] = [], transmit: [DMABuffer] = []
        for _ in 0..<receiveQueue.size { guard let buffer = page() else { throw .outOfMemory }; receive.append(buffer) }
        for _ in 0..<transmitQueue.size { guard let buffer = page() else { throw .outOfMemory }; transmit.append(buffer) }
        receiveBuffers = receive
        transmitBuffers = transmit
        receiveBufferOf = Array(repeating: -1, count: receiveQueue.size)
        transmitBufferOf = Array(repeating: -1, count: transmitQueue.size)
        freeTransmitBuffers = Array(0..<transmit.count)
        if features & VirtioNetDevice.featureMAC != 0 {
            let c = transport.deviceConfiguration
            macAddress = MACAddress(c.read(UInt8.self, at: 0), c.read(UInt8.self, at: 1), c.read(UInt8.self, at: 2),
                                    c.read(UInt8.self, at: 3), c.read(UInt8.self, at: 4), c.read(UInt8.self, at: 5))
        } else {
            macAddress = MACAddress(0x52, 0x54, 0x00, 0x12, 0x34, 0x56)
        }
        transport.install(receiveQueue, at: 0)
        transport.install(transmitQueue, at: 1)
        transmitDoorbell = transport.doorbell(for: transmitQueue)
        transport.start()
        for buffer in 0..<receiveBuffers.count { offerReceive(buffer) }
        transport.notify(receiveQueue)
    }

    func offerReceive(_ buffer: Int) {
        let dma = receiveBuffers[buffer]
        guard let descriptor = receiveQueue.offer(dma, length: VirtioNetDevice.bufferSize, writable: true) else { return }
        receiveBufferOf[Int(descriptor)] = buffer
    }

    public func receive() -> [UInt8]? {
        while let (descriptor, length) = receiveQueue.takeUsed() {
            let buffer = receiveBufferOf[Int(descriptor)]
            defer {
                offerReceive(buffer)
                receiveBuffersOffered = true
            }
            guard length > VirtioNetDevice.headerLength else { droppedReceives += 1; continue }
            return receiveBuffers[buffer].bytes(at: VirtioNetDevice.headerLength, count: length - VirtioNetDevice.headerLength)
        }
        // The ring is drained: tell the device about the buffers given back, once.
        if receiveBuffersOffered {
            receiveBuffersOffered = false
            if receiveQueue.deviceWantsNotification { transport.notify(receiveQueue) }
        }
        return nil
    }

    /// Free transmit buffers, after taking back those the device has finished with. When
    /// none is free it asks for an interrupt when one frees up, so a sender that waits for
    /// room wakes.
    public var transmitRoom: Int {
        reclaimTransmitBuffers()
        if freeTransmitBuffers.isEmpty && interruptsEnabled && !transmitInterruptsOn {
            transmitInterruptsOn = true
            transmitQueue.suppressInterrupts(false)
            reclaimTransmitBuffers()   // a buffer freed just before interrupts were on raised none
        }
        return freeTransmitBuffers.count
    }

    func reclaimTransmitBuffers() {
        while let (descriptor, _) = transmitQueue.takeUsed() {
            freeTransmitBuffers.append(transmitBufferOf[Int(descriptor)])
        }
    }

    /// The header every transmitted frame carries: no offloads asked for.
    static let zeroHeader = [UInt8](repeating: 0, count: headerLength)

    public func transmit(_ frame: [UInt8]) -> Bool {
        reclaimTransmitBuffers()
        guard frame.count <= VirtioNetDevice.bufferSize - VirtioNetDevice.headerLength else { return false }
        guard let buffer = freeTransmitBuffers.popLast() else {
            // Full: ask for an interrupt when the device frees a buffer (the caller retries).
            if interruptsEnabled && !transmitInterruptsOn {
                transmitInterruptsOn = true
                transmitQueue.suppressInterrupts(false)
            }
            return false
        }
        if transmitInterruptsOn {
            transmitInterruptsOn = false
            transmitQueue.suppressInterrupts(true)
        }
        let dma = transmitBuffers[buffer]
        dma.copy(VirtioNetDevice.zeroHeader, to: 0)
        dma.copy(frame, to: VirtioNetDevice.headerLength)
        guard let descriptor = transmitQueue.offer(dma, length: VirtioNetDevice.headerLength + frame.count, writable: false) else {
            freeTransmitBuffers.append(buffer)
            return false
        }
        transmitBufferOf[Int(descriptor)] = buffer
        framesQueued = true
        return true
    }

    /// Has every received frame raise `message` (MSI-X entry 0), and a completed transmission
    /// while the transmit ring is full. Returns
    /// false, changing nothing, if the card has no usable MSI-X table or refuses the vector;
    /// the driver then works by polling alone.
    public func useInterrupts(_ message: MessageSignalledInterrupt) -> Bool {
        guard let table = interruptTable, table.entries >= 1 else { return false }
        table.set(0, to: message)
        table.enable()
        // Both queues raise the message: every received frame, and — only while the transmit
        // ring is full — a completed transmission, so a sender waiting for room wakes.
        transmitQueue.suppressInterrupts(true)
        interruptsEnabled = transport.setInterruptEntry(0, for: receiveQueue) && transport.setInterruptEntry(0, for: transmitQueue)
        return interruptsEnabled
    }

    /// Tells the device about the frames queued since the last flush (one notification for
    /// a batch, and none while the device says it is already looking).
    public func flush() {
        guard framesQueued else { return }
        framesQueued = false
        guard transmitQueue.deviceWantsNotification else { return }
        if defersNotifications { doorbellOwed = true } else { transmitDoorbell.ring() }
    }

    /// From now on a flush that owes the device a notification leaves it to whoever takes the
    /// doorbell (``takeDoorbell()``), to ring outside its locks.
    public func deferNotifications() { defersNotifications = true }

    public func takeDoorbell() -> (any DeviceDoorbell)? {
        guard doorbellOwed else { return nil }
        doorbellOwed = false
        return transmitDoorbell
    }
}

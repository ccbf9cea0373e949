import PCI
import Boot
import X86

/// The virtio 1.x PCI transport (virtio spec 1.2 §4.1): the device's structures found
/// through its vendor capabilities, and the device-status handshake.
///
/// Guarantees: every register access goes through an ``MMIOWindow`` bounded by the capability's
/// length; the feature negotiation follows §3.1.1 (reset, ACKNOWLEDGE, DRIVER, features,
/// FEATURES_OK checked, then DRIVER_OK after the queues).
public final class VirtioPCITransport {
    enum Capability: UInt8 { case common = 1, notify = 2, isr = 3, device = 4 }
    enum Status: UInt8 { case acknowledge = 1, driver = 2, driverOK = 4, featuresOK = 8, failed = 0x80 }
    enum Common {
        static let deviceFeatureSelect = 0, deviceFeature = 4, driverFeatureSelect = 8, driverFeature = 12
        static let msixConfig = 16, numberOfQueues = 18, deviceStatus = 20, queueSelect = 22, queueSize = 24
        static let queueMSIXVector = 26, queueEnable = 28, queueNotifyOffset = 30
        static let queueDescriptors = 32, queueDriver = 40, queueDevice = 48
    }
    public static let featureVersion1: UInt64 = 1 << 32

    public let device: PCIDevice
    /// The common configuration's registers up to `queue_enable`/`queue_notify_off`
    /// (offsets 0 ..< 32): the queue addresses after them are written only by the fence.
    let common: MMIOWindow
    let queueAddresses: VirtioQueueAddresses
    let notify: MMIOWindow
    let notifyMultiplier: UInt32
    /// The device-specific configuration (a network card's MAC, ...).
    public let deviceConfiguration: MMIOWindow

    /// Finds and maps the structures; `map` makes a window of device registers mapped;
    /// `queueAddresses` are the fence's writer of the device's queue-address registers.
    public init(device: PCIDevice, queueAddresses: VirtioQueueAddresses, map: (PhysAddr, Int) -> MMIOWindow?) throws(VirtioError) {
        self.device = device
        self.queueAddresses = queueAddresses
        device.enable()
        var windows: [UInt8: MMIOWindow] = [:]
        var multiplier: UInt32 = 0
        for capability in device.capabilities where capability.id == 0x09 {
            // The device chose the pointer: a capability too close to the end of configuration
            // space to hold its 20 bytes is refused, not read past (a trapping `+` on UInt8).
            guard capability.offset <= 255 - 19 else { throw .badCapability(0) }
            let type = device.read8(offset: capability.offset + 3)
            guard Capability(rawValue: type) != nil, windows[type] == nil else { continue }
            let barIndex = Int(device.read8(offset: capability.offset + 4))
            let offset = UInt64(device.read32(offset: capability.offset + 8))
            let length = UInt64(device.read32(offset: capability.offset + 12))
            guard case .memory(let base, let size, _)? = device.bar(barIndex), offset + length <= size, length > 0 else {
                throw .badCapability(type)
            }
            // Of the common configuration only the registers before the queue addresses.
            let mapped = type == Capability.common.rawValue ? min(length, UInt64(Common.queueDescriptors)) : length
            let (address, overflow) = base.addingReportingOverflow(offset)
            guard !overflow, let window = map(PhysAddr(address), Int(mapped)) else { throw .cannotMap }
            windows[type] = window
            if type == Capability.notify.rawValue { multiplier = device.read32(offset: capability.offset + 16) }
        }
        guard let common = windows[Capability.common.rawValue] else { throw .missingCapability(Capability.common.rawValue) }
        guard let notify = windows[Capability.notify.rawValue] else { throw .missingCapability(Capability.notify.rawValue) }
        guard let configuration = windows[Capability.device.rawValue] else { throw .missingCapability(Capability.device.rawValue) }
        self.common = common
        self.notify = notify
        notifyMultiplier = multiplier
        deviceConfiguration = configuration
    }

    var status: UInt8 {
        get { common.read(UInt8.self, at: Common.deviceStatus) }
        set { common.write(newValue, at: Common.deviceStatus) }
    }

    /// Resets the device and negotiates: the device's features ∩ `wanted` (which must include
    /// VERSION_1). Returns the features in use.
    public func negotiate(_ wanted: UInt64) throws(VirtioError) -> UInt64 {
        status = 0
        while status != 0 { Processor.pause() }
        status = Status.acknowledge.rawValue
        status = status | Status.driver.rawValue
        var offered: UInt64 = 0
        for select: UInt32 in [0, 1] {
            common.write(select, at: Common.deviceFeatureSelect)
            offered |= UInt64(common.read(UInt32.self, at: Common.deviceFeature)) << (32 * UInt64(select))
        }
        let chosen = offered & wanted
        guard chosen & VirtioPCITransport.featureVersion1 != 0 else { status = Status.failed.rawValue; throw .featuresRejected }
        for select: UInt32 in [0, 1] {
            common.write(select, at: Common.driverFeatureSelect)
            common.write(UInt32(truncatingIfNeeded: chosen >> (32 * UInt64(select))), at: Common.driverFeature)
        }
        status = status | Status.featuresOK.rawValue
        guard status & Status.featuresOK.rawValue != 0 else { status = Status.failed.rawValue; throw .featuresRejected }
        return chosen
    }

    /// The largest size the device allows for queue `index` (0: no such queue).
    public func maximumQueueSize(_ index: Int) -> Int {
        guard index < Int(common.read(UInt16.self, at: Common.numberOfQueues)) else { return 0 }
        common.write(UInt16(index), at: Common.queueSelect)
        return Int(common.read(UInt16.self, at: Common.queueSize))
    }

    /// Tells the device where queue `index` lives and enables it (no interrupt vector:
    /// the driver polls).
    public func install(_ queue: Virtqueue, at index: Int) {
        common.write(UInt16(index), at: Common.queueSelect)
        common.write(UInt16(queue.size), at: Common.queueSize)
        common.write(UInt16(0xFFFF), at: Common.queueMSIXVector)
        queueAddresses.set(descriptors: queue.descriptors, driver: queue.available, device: queue.used)
        queue.notifyOffset = Int(common.read(UInt16.self, at: Common.queueNotifyOffset)) * Int(notifyMultiplier)
        queue.index = index
        common.write(UInt16(1), at: Common.queueEnable)
    }

    /// Has queue `queue` signal MSI-X table entry `entry` when it uses buffers; false if the
    /// device refused (it reads back NO_VECTOR).
    public func setInterruptEntry(_ entry: UInt16, for queue: Virtqueue) -> Bool {
        common.write(UInt16(0xFFFF), at: Common.msixConfig)   // no configuration-change interrupts
        common.write(UInt16(queue.index), at: Common.queueSelect)
        common.write(entry, at: Common.queueMSIXVector)
        return common.read(UInt16.self, at: Common.queueMSIXVector) == entry
    }

    /// Tells the device that queue `queue` has new buffers.
    public func notify(_ queue: Virtqueue) {
        DMABuffer.publish()
        notify.write(UInt16(queue.index), at: queue.notifyOffset)
    }

    /// Queue `queue`'s doorbell, to ring outside the driver's locks.
    public func doorbell(for queue: Virtqueue) -> VirtqueueDoorbell {
        VirtqueueDoorbell(window: notify, offset: queue.notifyOffset, queue: UInt16(queue.index))
    }

    /// Lets the device run.
    public func start() { status = status | Status.driverOK.rawValue }
}

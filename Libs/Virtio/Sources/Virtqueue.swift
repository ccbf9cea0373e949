import Boot
import X86

/// A split virtqueue (virtio 1.2 §2.7): a descriptor table, the driver's available ring and
/// the device's used ring, each in its own DMA buffer.
///
/// Guarantees: a descriptor is handed to the device at most once until the device returns
/// it; the available index is written only after the ring entry (and the buffers it names)
/// are published; a used entry naming a descriptor the driver did not hand out (or already got
/// back), or a length beyond the buffer, is ignored and counted, never trusted; a used index
/// that runs further ahead than the queue has descriptors marks the queue broken (as Linux's
/// `virtqueue_get_buf` does): it is counted, and nothing more is taken from it.
public final class Virtqueue {
    public let size: Int
    let descriptors: VirtqueueDescriptorTable
    let available: DMABuffer
    let used: DMABuffer
    var freeDescriptors: [UInt16]
    var inFlight: [Bool]
    var lengths: [UInt32]
    var availableIndex: UInt16 = 0
    var lastUsed: UInt16 = 0
    var index = 0
    var notifyOffset = 0
    /// Used entries the device got wrong.
    public private(set) var malformedUsedEntries = 0
    /// Whether the device published an impossible used index; a broken queue yields nothing.
    public private(set) var isBroken = false

    /// `size` must be the descriptor table's; the rings must hold 6 + 2·size and 6 + 8·size bytes.
    public init(size: Int, descriptors: VirtqueueDescriptorTable, available: DMABuffer, used: DMABuffer) {
        precondition(size > 0 && size == descriptors.size, "a queue as large as its descriptor table")
        precondition(available.size >= 6 + 2 * size && used.size >= 6 + 8 * size, "virtqueue rings too small")
        self.size = size
        self.descriptors = descriptors
        self.available = available
        self.used = used
        freeDescriptors = (0..<UInt16(size)).reversed().map { $0 }
        inFlight = Array(repeating: false, count: size)
        lengths = Array(repeating: 0, count: size)
        for offset in stride(from: 0, to: 6 + 2 * size, by: 2) { available.write(UInt16(0), at: offset) }
        for offset in stride(from: 0, to: 4, by: 2) { used.write(UInt16(0), at: offset) }
    }

    public var freeCount: Int { freeDescriptors.count }

    /// Asks the device not to interrupt when it uses buffers (VIRTQ_AVAIL_F_NO_INTERRUPT), or
    /// to interrupt again. A hint: the device may still interrupt.
    public func suppressInterrupts(_ suppress: Bool) {
        available.write(UInt16(suppress ? 1 : 0), at: 0)
        DMABuffer.fence()
    }

    /// Whether the device asks to be notified of new buffers (VIRTQ_USED_F_NO_NOTIFY clear):
    /// a device busy with the queue sets the flag and finds new buffers on its own.
    public var deviceWantsNotification: Bool {
        DMABuffer.fence()
        return used.read(UInt16.self, at: 0) & 1 == 0
    }

    /// Hands the first `length` bytes of `buffer` to the device (`writable`: the device
    /// writes them, as for receive buffers). The device is told the buffer's own physical
    /// address, so it is aimed only at memory the driver owns. Returns its descriptor, or nil
    /// if none is free.
    public func offer(_ buffer: DMABuffer, length: Int, writable: Bool) -> UInt16? {
        precondition(length > 0 && length <= buffer.size, "a descriptor longer than its buffer")
        guard let descriptor = freeDescriptors.popLast() else { return nil }
        descriptors.set(Int(descriptor), buffer: buffer, length: length, deviceWrites: writable)
        inFlight[Int(descriptor)] = true
        lengths[Int(descriptor)] = UInt32(length)
        available.write(descriptor, at: 4 + 2 * Int(availableIndex % UInt16(size)))
        DMABuffer.publish()
        availableIndex &+= 1
        available.write(availableIndex, at: 2)
        return descriptor
    }

    /// The next buffer the device has finished with: its descriptor and how many bytes the
    /// device wrote; nil when there is none.
    public func takeUsed() -> (descriptor: UInt16, length: Int)? {
        while !isBroken {
            let deviceIndex = used.read(UInt16.self, at: 2)
            guard deviceIndex != lastUsed else { return nil }
            guard Int(deviceIndex &- lastUsed) <= size else {
                malformedUsedEntries += 1
                isBroken = true
                return nil
            }
            DMABuffer.publish()
            let entry = 4 + 8 * Int(lastUsed % UInt16(size))
            let id = used.read(UInt32.self, at: entry)
            let length = used.read(UInt32.self, at: entry + 4)
            lastUsed &+= 1
            guard id < UInt32(size), inFlight[Int(id)], length <= lengths[Int(id)] else {
                malformedUsedEntries += 1
                continue
            }
            inFlight[Int(id)] = false
            freeDescriptors.append(UInt16(id))
            return (UInt16(id), Int(length))
        }
        return nil
    }
}

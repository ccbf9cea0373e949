import X86

/// A split virtqueue's descriptor table (virtio 1.2 §2.7.5), in a frame only the fence writes:
/// the one place a virtio device reads the addresses it will access.
///
/// Guarantees: made from an owned ``Frame`` (consumed: it becomes DMA memory for good, and no
/// other view of it exists), so a driver cannot write a descriptor by hand; every descriptor
/// written names a ``DMABuffer`` — memory that is the device's to use for good — with a length
/// within that buffer, and only the WRITE flag (never NEXT chains beyond the table or
/// INDIRECT tables, whose contents the fence could not check). So the device is only ever
/// told addresses of DMA memory. What the device does with them is the trusted-hardware part
/// (no IOMMU).
public struct VirtqueueDescriptorTable: Sendable {
    let memory: DMABuffer
    /// Descriptors in the table.
    public let size: Int

    /// A table of `size` descriptors (a power of two, at most 256: one 4 KiB frame) in `frame`.
    public init(frame: consuming Frame, size: Int) {
        precondition(size > 0 && size & (size - 1) == 0 && size * 16 <= FrameTable.frameSize, "a descriptor table fills at most one frame")
        frame.fill(0)
        memory = frame.intoDMABuffer()
        self.size = size
    }

    /// The table's physical address, as the device is told.
    var physicalAddress: PhysAddr { memory.physicalAddress }

    /// Points descriptor `index` at the first `length` bytes of `buffer`; `deviceWrites` when
    /// the device fills it (receive buffers).
    public func set(_ index: Int, buffer: DMABuffer, length: Int, deviceWrites: Bool) {
        precondition(index >= 0 && index < size, "a descriptor outside the table")
        precondition(length > 0 && length <= buffer.size && length <= Int(UInt32.max), "a descriptor longer than its buffer")
        let base = index * 16
        memory.write(buffer.physicalAddress.value, at: base)
        memory.write(UInt32(length), at: base + 8)
        memory.write(UInt16(deviceWrites ? 2 : 0), at: base + 12)   // VIRTQ_DESC_F_WRITE only
        memory.write(UInt16(0), at: base + 14)
    }
}

/// The three queue-address registers of a virtio PCI device's common configuration
/// (`queue_desc`, `queue_driver`, `queue_device`; virtio 1.2 §4.1.4.3), which only the fence
/// writes: device windows withhold them.
///
/// Guarantees: made by ``DeviceWindows/virtioQueueAddresses(of:map:)`` over exactly those 24
/// bytes of a function the fence identified as virtio by its own reading of the capability
/// list; ``set(descriptors:driver:device:)`` writes only the physical addresses of a
/// ``VirtqueueDescriptorTable`` and two ``DMABuffer``s, for whichever queue the driver selected.
public struct VirtioQueueAddresses: Sendable {
    let window: MMIOWindow

    init(window: MMIOWindow) { self.window = window }

    /// Tells the device where the selected queue's descriptor table, available ring and used
    /// ring are (64-bit fields written as two aligned 32-bit halves, §4.1.3.1).
    public func set(descriptors: VirtqueueDescriptorTable, driver: DMABuffer, device: DMABuffer) {
        for (field, address) in [(0, descriptors.physicalAddress.value), (8, driver.physicalAddress.value), (16, device.physicalAddress.value)] {
            window.write(UInt32(truncatingIfNeeded: address), at: field)
            window.write(UInt32(truncatingIfNeeded: address >> 32), at: field + 4)
        }
    }
}

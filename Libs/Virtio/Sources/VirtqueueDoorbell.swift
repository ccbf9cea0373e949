import Net
import X86

/// One queue's notification register (virtio 1.2 §4.1.4.4): ringing it tells the device that
/// the queue has new buffers.
///
/// Guarantees: ringing publishes the ring's writes first (``DMABuffer/publish()``), then makes
/// one 16-bit store of the queue's index to its own notification address inside the card's
/// notify window — it touches no ring, so it may ring on any processor, at any time, without
/// the driver's lock; a ring with nothing new is one the device ignores.
public final class VirtqueueDoorbell: DeviceDoorbell {
    let window: MMIOWindow
    let offset: Int
    let queue: UInt16

    init(window: MMIOWindow, offset: Int, queue: UInt16) {
        self.window = window
        self.offset = offset
        self.queue = queue
    }

    public func ring() {
        DMABuffer.publish()
        window.write(queue, at: offset)
    }
}

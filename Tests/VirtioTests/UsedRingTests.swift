import Testing
import X86
@testable import Boot
@testable import Virtio
import SimulatedFrames

/// Frames of the process's simulated machine, as the DMA buffers a virtqueue lives in (the test
/// plays the device by writing its used ring).
enum Frames {
    static func frame() -> Frame {
        guard let frame = SimulatedFrames.claimFrame() else { fatalError("the simulated machine's RAM is used up") }
        return frame
    }

    static func buffer() -> DMABuffer { frame().intoDMABuffer() }
}

/// A device that lies: it writes whatever used entries the test asks for.
struct FakeDevice {
    let used: DMABuffer
    let size: Int
    var index: UInt16 = 0

    mutating func complete(id: UInt32, length: UInt32) {
        let entry = 4 + 8 * Int(index % UInt16(size))
        used.write(id, at: entry)
        used.write(length, at: entry + 4)
        index &+= 1
        used.write(index, at: 2)
    }

    func publish(index: UInt16) { used.write(index, at: 2) }
}

@Suite("Virtqueue used ring against a lying device", .serialized)
struct UsedRingTests {
    func makeQueue() -> (Virtqueue, FakeDevice, [DMABuffer]) {
        let used = Frames.buffer()
        let queue = Virtqueue(size: 8, descriptors: VirtqueueDescriptorTable(frame: Frames.frame(), size: 8),
                              available: Frames.buffer(), used: used)
        return (queue, FakeDevice(used: used, size: 8), (0..<4).map { _ in Frames.buffer() })
    }

    @Test func entriesThatLieAboutTheirIdOrLengthAreCountedAndDropped() throws {
        let (queue, device0, buffers) = makeQueue()
        var device = device0
        let first = try #require(queue.offer(buffers[0], length: 1000, writable: true))
        let second = try #require(queue.offer(buffers[1], length: 500, writable: true))
        device.complete(id: 99, length: 10)                        // no such descriptor
        device.complete(id: 7, length: 10)                         // never handed out
        device.complete(id: UInt32(first), length: 1001)           // longer than the buffer
        device.complete(id: UInt32(second), length: 500)           // honest
        device.complete(id: UInt32(second), length: 500)           // the same one again
        let taken = queue.takeUsed()
        #expect(taken?.descriptor == second && taken?.length == 500)
        #expect(queue.takeUsed() == nil)
        #expect(queue.malformedUsedEntries == 4)
        // The first buffer is still the device's: an honest completion returns it.
        device.complete(id: UInt32(first), length: 1000)
        #expect(queue.takeUsed()?.descriptor == first && queue.freeCount == 8)
        #expect(!queue.isBroken)
    }

    @Test func aUsedIndexFarAheadBreaksTheQueueInsteadOfLooping() throws {
        let (queue, device, buffers) = makeQueue()
        _ = try #require(queue.offer(buffers[0], length: 100, writable: true))
        device.publish(index: 40_000)   // claims 40,000 used entries in a ring of 8
        #expect(queue.takeUsed() == nil)
        #expect(queue.isBroken && queue.malformedUsedEntries == 1)
        device.publish(index: 1)
        #expect(queue.takeUsed() == nil, "a broken queue is not trusted again")
    }

    @Test func randomUsedRingsNeverTrapAndNeverReturnADescriptorTwice() throws {
        var state: UInt64 = 99
        func random() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for _ in 0..<40 {
            let (queue, device0, buffers) = makeQueue()
            var device = device0
            var outstanding: Set<UInt16> = []
            for round in 0..<40 {
                if round % 3 == 0, let descriptor = queue.offer(buffers[round % 4], length: 64, writable: true) { outstanding.insert(descriptor) }
                device.complete(id: UInt32(random() % 12), length: UInt32(random() % 100))
                while let (descriptor, length) = queue.takeUsed() {
                    #expect(outstanding.remove(descriptor) != nil, "returned only while outstanding")
                    #expect(length <= 64)
                }
            }
        }
    }
}

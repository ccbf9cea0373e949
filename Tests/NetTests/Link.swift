@testable import Net

/// Two ends of an in-memory Ethernet link with a shared manual clock, and knobs to lose,
/// duplicate or reorder frames.
final class LinkEnd: NetworkDevice {
    let macAddress: MACAddress
    /// Frames waiting to be received (a queue: `arrived` from `inboxHead` on).
    var inbox: [[UInt8]] {
        get { Array(arrived[inboxHead...]) }
        set { arrived = newValue; inboxHead = 0 }
    }
    var arrived: [[UInt8]] = []
    weak var peer: LinkEnd?
    /// Called on every frame sent; returns the frames to deliver (none = lost).
    var filter: ([UInt8]) -> [[UInt8]] = { [$0] }
    var sent: [[UInt8]] = []
    /// A transmit ring of this many frames, emptied by each flush (nil: unlimited): frames
    /// beyond it are refused, as a real NIC's are.
    var ring: Int? = nil
    var queuedSinceFlush = 0
    var refused = 0
    var inboxHead = 0

    init(mac: MACAddress) { macAddress = mac }

    func receive() -> [UInt8]? {
        guard inboxHead < arrived.count else { return nil }
        let frame = arrived[inboxHead]
        inboxHead += 1
        if inboxHead > 4096 { arrived.removeFirst(inboxHead); inboxHead = 0 }
        return frame
    }

    func flush() { queuedSinceFlush = 0 }

    var transmitRoom: Int { ring.map { max(0, $0 - queuedSinceFlush) } ?? Int.max / 2 }

    func transmit(_ frame: [UInt8]) -> Bool {
        if let ring, queuedSinceFlush >= ring { refused += 1; return false }
        queuedSinceFlush += 1
        sent.append(frame)
        peer?.arrived.append(contentsOf: filter(frame))
        return true
    }
}

final class ManualClock {
    var now: UInt64 = 1_000
}

/// Two stacks, 10.0.0.1 and 10.0.0.2, on one link.
struct TwoHosts {
    let clock = ManualClock()
    let a: NetworkStack
    let b: NetworkStack
    let linkA = LinkEnd(mac: MACAddress(2, 0, 0, 0, 0, 1))
    let linkB = LinkEnd(mac: MACAddress(2, 0, 0, 0, 0, 2))
    let peers: PeerBox
    /// Runs whenever a blocking call idles (a test's server on the other host).
    var serve: () -> Void {
        get { peers.serve }
        nonmutating set { peers.serve = newValue }
    }

    init() {
        linkA.peer = linkB
        linkB.peer = linkA
        let clock = self.clock
        // A blocking call on one host lets the other host run (they share this thread).
        let peers = PeerBox()
        var stacks: [NetworkStack] = []
        for (index, (link, last)) in [(linkA, UInt8(1)), (linkB, UInt8(2))].enumerated() {
            stacks.append(NetworkStack(device: link, configuration: InterfaceConfiguration(address: IPv4Address(10, 0, 0, last), prefixLength: 24, gateway: nil),
                                       clock: { clock.now }, idle: { peers.stacks[1 - index].poll(); peers.serve(); clock.now += 1 }))
        }
        peers.stacks = stacks
        self.peers = peers
        a = stacks[0]
        b = stacks[1]
    }

    /// Polls both stacks, advancing time, `rounds` times.
    func run(_ rounds: Int = 50, step: UInt64 = 10) {
        for _ in 0..<rounds {
            a.poll()
            b.poll()
            clock.now += step
        }
    }
}

extension TwoHosts {
    /// A connection from a to b's `port` (listening there), accepted: both ends; nil if
    /// either step fails within 100 rounds.
    func connectedPair(port: UInt16 = 80) -> (client: TCPStream, server: TCPStream)? {
        guard let listener = TCPListener(stack: b, port: port) else { return nil }
        guard let client = TCPStream.connect(stack: a, address: IPv4Address(10, 0, 0, 2), port: port) else { return nil }
        for _ in 0..<100 {
            if let server = listener.tryAccept() { return (client, server) }
            run(1)
        }
        return nil
    }
}

final class PeerBox {
    var stacks: [NetworkStack] = []
    var serve: () -> Void = {}
}

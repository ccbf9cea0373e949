/// A network interface card as the stack sees it: frames in, frames out.
///
/// Contract: `receive` returns one whole Ethernet frame (without FCS) or nil when none is
/// waiting, and never blocks; `transmit` queues one frame and returns false if the device
/// has no room (the stack counts it dropped); `transmitRoom` is how many frames `transmit`
/// would take now (the stack sends no more than that per poll, so a full ring holds TCP
/// segments back instead of losing them); frames queued by `transmit` are sent at the latest
/// by the next `flush`, which the stack calls at the end of each poll.
public protocol NetworkDevice: AnyObject {
    var macAddress: MACAddress { get }
    func receive() -> [UInt8]?
    func transmit(_ frame: [UInt8]) -> Bool
    func flush()
    var transmitRoom: Int { get }
}

extension NetworkDevice {
    /// A device with no ring to fill (a test link, a fuzzer) takes whatever it is given.
    public var transmitRoom: Int { Int.max / 2 }
}

/// A network interface card as the stack sees it: frames in, frames out.
///
/// Contract: `receive` returns one whole Ethernet frame (without FCS) or nil when none is
/// waiting, and never blocks; `transmit` queues one frame and returns false if the device
/// has no room (the stack counts it dropped); `transmitRoom` is how many frames `transmit`
/// would take now (the stack sends no more than that per poll, so a full ring holds TCP
/// segments back instead of losing them); frames queued by `transmit` are sent at the latest
/// by the next `flush`, which the stack calls at the end of each poll — or, once
/// `deferNotifications()` was called, when the caller rings the doorbell `takeDoorbell()`
/// hands it (a caller that polls under a lock rings it after the lock is released).
public protocol NetworkDevice: AnyObject {
    var macAddress: MACAddress { get }
    func receive() -> [UInt8]?
    func transmit(_ frame: [UInt8]) -> Bool
    func flush()
    var transmitRoom: Int { get }
    /// From now on `flush` only records that the device is owed a notification.
    func deferNotifications()
    /// The notification owed since the last take, if any (taking it clears it).
    func takeDoorbell() -> (any DeviceDoorbell)?
}

extension NetworkDevice {
    /// A device with no ring to fill (a test link, a fuzzer) takes whatever it is given.
    public var transmitRoom: Int { Int.max / 2 }
    /// A device whose `flush` costs nothing notifies at once.
    public func deferNotifications() {}
    public func takeDoorbell() -> (any DeviceDoorbell)? { nil }
}

/// A device's notification that new frames are queued, rung by whoever took it once it holds
/// no lock (a notification is a trap into the VMM, tens of microseconds under TCG).
///
/// Contract: ringing is safe at any time, from any processor, any number of times — a
/// notification with nothing new queued is one the device ignores.
public protocol DeviceDoorbell: AnyObject, Sendable {
    func ring()
}

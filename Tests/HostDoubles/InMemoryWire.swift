import Net

/// One end of an in-memory Ethernet link: what it transmits lands in its peer's inbox, in
/// order, and nothing is lost (a stack's tests and Tools/request-path).
public final class InMemoryWire: NetworkDevice {
    public let macAddress: MACAddress
    public var inbox: [[UInt8]] = []
    public weak var peer: InMemoryWire?

    /// An end with MAC address 02:00:00:00:00:`last`.
    public init(_ last: UInt8) { macAddress = MACAddress(2, 0, 0, 0, 0, last) }

    /// Joins two ends.
    public static func pair(_ first: UInt8, _ second: UInt8) -> (InMemoryWire, InMemoryWire) {
        let ends = (InMemoryWire(first), InMemoryWire(second))
        ends.0.peer = ends.1
        ends.1.peer = ends.0
        return ends
    }

    public func receive() -> [UInt8]? { inbox.isEmpty ? nil : inbox.removeFirst() }
    public func transmit(_ frame: [UInt8]) -> Bool { peer?.inbox.append(frame); return true }
    public func flush() {}
}

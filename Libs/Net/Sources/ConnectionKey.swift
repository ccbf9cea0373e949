/// Names a TCP connection from this host's side.
public struct ConnectionKey: Hashable, Sendable {
    public var localPort: UInt16
    public var remoteAddress: IPv4Address
    public var remotePort: UInt16
}

/// An interface's IPv4 settings.
public struct InterfaceConfiguration: Sendable, Equatable {
    public var address: IPv4Address
    public var prefixLength: Int
    public var gateway: IPv4Address?

    public init(address: IPv4Address, prefixLength: Int, gateway: IPv4Address?) {
        self.address = address
        self.prefixLength = prefixLength
        self.gateway = gateway
    }

    /// Parses `ip=10.0.2.15/24 gateway=10.0.2.2` style values (the kernel command line).
    public init?(address text: Substring, gateway: Substring?) {
        let parts = text.split(separator: "/")
        guard let address = parts.first.flatMap({ IPv4Address($0) }) else { return nil }
        let prefix = parts.count > 1 ? Int(parts[1]) : 24
        guard let prefix, (0...32).contains(prefix) else { return nil }
        var router: IPv4Address? = nil
        if let gateway {
            guard let parsed = IPv4Address(gateway) else { return nil }
            router = parsed
        }
        self.init(address: address, prefixLength: prefix, gateway: router)
    }

    var mask: UInt32 { prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - prefixLength) }

    /// Whether `ip` is on this interface's link.
    public func isLocal(_ ip: IPv4Address) -> Bool { ip.value & mask == address.value & mask }

    /// Where a packet to `ip` goes next: itself if on the link, else the gateway.
    public func nextHop(_ ip: IPv4Address) -> IPv4Address? { isLocal(ip) ? ip : gateway }
}

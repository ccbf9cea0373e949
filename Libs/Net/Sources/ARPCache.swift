/// IPv4 → MAC mappings learned from ARP, each valid for a limited time.
///
/// Guarantees: at most `capacity` entries (the oldest is evicted); an entry is not returned
/// after it expired.
public struct ARPCache: Sendable {
    public static let lifetime: UInt64 = 60_000
    public let capacity: Int
    var entries: [IPv4Address: (mac: MACAddress, expires: UInt64)] = [:]

    public init(capacity: Int = 64) { self.capacity = capacity }

    public mutating func learn(_ ip: IPv4Address, _ mac: MACAddress, now: UInt64) {
        if entries[ip] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.expires < $1.value.expires })?.key {
            entries[oldest] = nil
        }
        entries[ip] = (mac, now + ARPCache.lifetime)
    }

    public func lookup(_ ip: IPv4Address, now: UInt64) -> MACAddress? {
        guard let entry = entries[ip], entry.expires > now else { return nil }
        return entry.mac
    }

    public var count: Int { entries.count }
}

import X86

/// A range of virtual memory that is backed by zeroed frames on first touch.
public struct LazyRegion: Sendable, Equatable {
    /// The memory, as a region its owner uses.
    public let region: MemoryRegion
    /// Whether its pages are mapped writable.
    public let writable: Bool

    /// Whether `address` lies in the region.
    public func contains(_ address: UInt64) -> Bool { region.contains(address: address) }
}

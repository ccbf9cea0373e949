import X86

/// A range of virtual memory that is backed by zeroed frames on first touch.
public struct LazyRegion: Sendable, Equatable {
    /// The first byte.
    public let base: UInt64
    /// The length in bytes.
    public let size: Int
    /// Whether its pages are mapped writable.
    public let writable: Bool
    /// When not 0, the region is a row of slots this many bytes long, each starting with a
    /// 4 KiB guard page that is never backed (thread stacks grow down towards it).
    public let guardStride: Int

    /// Whether `address` lies in the region.
    public func contains(_ address: UInt64) -> Bool { address >= base && address - base < UInt64(size) }

    /// Whether `address` lies in one of the region's guard pages.
    public func isGuard(_ address: UInt64) -> Bool {
        guardStride > 0 && Int(address - base) % guardStride < 4096
    }
}

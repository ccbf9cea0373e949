/// A physical memory address.
///
/// Guarantees: nothing beyond being a 64-bit number; physical addresses are never dereferenced
/// directly, only through a ``MemoryRegion`` or ``PhysicalMemoryWindow`` that covers them.
public struct PhysAddr: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a number.
    public var value: UInt64

    /// Wraps `value`.
    @inlinable public init(_ value: UInt64) { self.value = value }

    /// Whether the address is a multiple of `alignment` (a power of two).
    @inlinable public func isAligned(to alignment: UInt64) -> Bool { value & (alignment &- 1) == 0 }

    /// The address rounded down to a multiple of `alignment` (a power of two).
    @inlinable public func alignedDown(to alignment: UInt64) -> PhysAddr { PhysAddr(value & ~(alignment &- 1)) }

    /// The address rounded up to a multiple of `alignment` (a power of two).
    @inlinable public func alignedUp(to alignment: UInt64) -> PhysAddr {
        PhysAddr((value &+ alignment &- 1) & ~(alignment &- 1))
    }

    /// Orders by address (a plain comparison of numbers).
    @inlinable public static func < (lhs: PhysAddr, rhs: PhysAddr) -> Bool { lhs.value < rhs.value }
    /// The address `rhs` bytes further on (a number; overflow traps).
    @inlinable public static func + (lhs: PhysAddr, rhs: UInt64) -> PhysAddr { PhysAddr(lhs.value + rhs) }

    /// The address in hexadecimal.
    public var description: String { Hex.string(value) }
}

/// A canonical virtual address: bits 63..48 repeat bit 47 (SDM Vol. 1 §3.3.7.1).
///
/// Guarantees: a `VirtAddr` is always canonical; ``init(checked:)`` refuses a non-canonical
/// value and ``init(truncating:)`` sign-extends bit 47.
public struct VirtAddr: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address as a number.
    public let value: UInt64

    /// Wraps `value`, or returns nil when it is not canonical.
    @inlinable public init?(checked value: UInt64) {
        let top = value >> 47
        guard top == 0 || top == 0x1FFFF else { return nil }
        self.value = value
    }

    /// Wraps `value` with bits 63..48 replaced by copies of bit 47.
    @inlinable public init(truncating value: UInt64) {
        self.value = UInt64(bitPattern: Int64(bitPattern: value << 16) >> 16)
    }

    /// Wraps `value`, which must be canonical (a precondition).
    @inlinable public init(_ value: UInt64) {
        guard let address = VirtAddr(checked: value) else { preconditionFailure("non-canonical virtual address") }
        self = address
    }

    /// The index into the page table of `level` (1 = page table ... 4 = PML4) for this address.
    @inlinable public func pageTableIndex(level: Int) -> Int { Int((value >> (12 + 9 * UInt64(level - 1))) & 0x1FF) }

    /// The offset of the address in its 4 KiB page.
    @inlinable public var pageOffset: UInt64 { value & 0xFFF }

    /// Orders by address (a plain comparison of numbers).
    @inlinable public static func < (lhs: VirtAddr, rhs: VirtAddr) -> Bool { lhs.value < rhs.value }

    /// The address in hexadecimal.
    public var description: String { Hex.string(value) }
}

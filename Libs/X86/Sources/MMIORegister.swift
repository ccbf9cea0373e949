import X86Shim

/// A value a memory-mapped register can hold: `UInt8` ... `UInt64`.
public protocol MMIOValue: PlainData {
    /// A volatile load from `address`.
    @unsafe static func volatileLoad(_ address: UInt64) -> Self
    /// A volatile store to `address`.
    @unsafe static func volatileStore(_ address: UInt64, _ value: Self)
}

extension UInt8: MMIOValue {
    /// A volatile load of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileLoad(_ address: UInt64) -> UInt8 { x86_mmio_read8(address) }
    /// A volatile store of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileStore(_ address: UInt64, _ value: UInt8) { x86_mmio_write8(address, value) }
}
extension UInt16: MMIOValue {
    /// A volatile load of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileLoad(_ address: UInt64) -> UInt16 { x86_mmio_read16(address) }
    /// A volatile store of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileStore(_ address: UInt64, _ value: UInt16) { x86_mmio_write16(address, value) }
}
extension UInt32: MMIOValue {
    /// A volatile load of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileLoad(_ address: UInt64) -> UInt32 { x86_mmio_read32(address) }
    /// A volatile store of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileStore(_ address: UInt64, _ value: UInt32) { x86_mmio_write32(address, value) }
}
extension UInt64: MMIOValue {
    /// A volatile load of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileLoad(_ address: UInt64) -> UInt64 { x86_mmio_read64(address) }
    /// A volatile store of this width: `@unsafe`, as the protocol requirement says.
    @unsafe @inlinable public static func volatileStore(_ address: UInt64, _ value: UInt64) { x86_mmio_write64(address, value) }
}

/// A window of device registers mapped into memory (a PCI BAR, the local APIC page, ...).
///
/// Guarantees: every access is a single volatile load or store of the register's width,
/// naturally aligned, inside the window; an access outside it or misaligned is a
/// precondition failure. Only Boot (or a driver handed a window by Boot) can create one,
/// so the rest of the kernel cannot aim volatile stores at arbitrary memory.
public struct MMIOWindow: Sendable {
    /// The mapped address of the first register.
    public let base: UInt64
    /// The size of the window in bytes.
    public let size: Int

    /// A window of `size` bytes of device registers at `unsafeBase`. The caller promises the
    /// range is mapped uncached to the device and nothing else lives there.
    @unsafe public init(unsafeBase: UInt64, size: Int) {
        self.base = unsafeBase
        self.size = size
    }

    /// Reads the `T`-wide register at byte `offset`.
    @inlinable public func read<T: MMIOValue>(_ type: T.Type = T.self, at offset: Int) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= size && offset % MemoryLayout<T>.size == 0,
                     "MMIO read outside its window")
        #if hasFeature(Embedded)
        // SAFETY: bounds and alignment checked; the window's creator promised device memory.
        return unsafe T.volatileLoad(base + UInt64(offset))
        #else
        BareMachine.unavailable("MMIO read")
        #endif
    }

    /// Writes `value` to the `T`-wide register at byte `offset`.
    @inlinable public func write<T: MMIOValue>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= size && offset % MemoryLayout<T>.size == 0,
                     "MMIO write outside its window")
        #if hasFeature(Embedded)
        // SAFETY: bounds and alignment checked; the window's creator promised device memory.
        unsafe T.volatileStore(base + UInt64(offset), value)
        #else
        BareMachine.unavailable("MMIO write")
        #endif
    }
}

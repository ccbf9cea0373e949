import X86Shim

/// A bounds-checked view of `size` bytes of memory starting at virtual address `base`.
///
/// Guarantees: every access through a region stays inside `[base, base + size)`; an access
/// that would not is a precondition failure (a kernel panic), never a stray read or write.
/// Only code allowed to use `unsafe` (Boot, X86, host test fixtures) can create a region from
/// an address, so a module that was not handed a region cannot reach that memory; modules
/// narrow what they were given with ``subregion(offset:size:)``.
///
/// Accesses are unaligned-safe loads of ``PlainData`` values (types with no invalid bit
/// pattern) and stores of bitwise-copyable ones, in the machine's byte order (little-endian).
public struct MemoryRegion: Sendable, Equatable {
    /// The first byte of the region.
    public let base: UInt64
    /// The number of bytes in the region.
    public let size: Int

    /// Creates a view of `size` bytes at `unsafeBase`.
    ///
    /// The caller promises that the memory is mapped, readable and writable, and not used
    /// for anything else the view could corrupt for as long as any copy of the view lives.
    @unsafe @inlinable
    public init(unsafeBase: UInt64, size: Int) {
        precondition(size >= 0 && unsafeBase &+ UInt64(size) >= unsafeBase, "memory region wraps around")
        self.base = unsafeBase
        self.size = size
    }

    /// The address one past the last byte.
    @inlinable public var end: UInt64 { base + UInt64(size) }

    /// Whether the address `address` lies inside the region.
    @inlinable public func contains(address: UInt64) -> Bool { address >= base && address < end }

    /// Whether `count` bytes at `address` lie entirely inside the region.
    @inlinable public func contains(address: UInt64, count: Int) -> Bool {
        address >= base && count >= 0 && address - base <= UInt64(size) && UInt64(count) <= UInt64(size) - (address - base)
    }

    @inlinable @inline(__always) func checkedAddress(_ offset: Int, _ count: Int) -> UInt64 {
        // 0 <= offset and offset + count <= size, as two unsigned comparisons (size >= 0).
        precondition(count >= 0 && count <= size && UInt(bitPattern: offset) <= UInt(bitPattern: size &- count),
                     "memory region access out of bounds")
        return base &+ UInt64(offset)
    }

    /// The `T` stored at byte `offset`.
    @inlinable @inline(__always)
    public func load<T: PlainData>(as type: T.Type = T.self, at offset: Int) -> T {
        _ = T.everyBitPatternIsValid
        let address = checkedAddress(offset, MemoryLayout<T>.size)
        // SAFETY: `checkedAddress` proved [address, address + size of T) lies in the region,
        // which its creator promised is mapped and readable; T is plain data (its proof was
        // evaluated above), so any byte pattern is a valid value; an unaligned load is allowed.
        return unsafe UnsafeRawPointer(bitPattern: UInt(address)).unsafelyUnwrapped.loadUnaligned(as: T.self)
    }

    /// Stores `value` at byte `offset`.
    @inlinable @inline(__always)
    public func store<T: BitwiseCopyable>(_ value: T, at offset: Int) {
        let address = checkedAddress(offset, MemoryLayout<T>.size)
        // SAFETY: bounds checked above; the region's creator promised it is writable and
        // owned by the holders of the region.
        unsafe UnsafeMutableRawPointer(bitPattern: UInt(address)).unsafelyUnwrapped.storeBytes(of: value, as: T.self)
    }

    /// Atomically replaces the 32-bit word at `offset` (a multiple of 4) with `desired` if it
    /// holds `expected`, as one `lock cmpxchg` other processors see whole; returns the word
    /// found (== `expected` exactly when it was replaced). For words shared with code on other
    /// processors, such as a program's futex words.
    @inlinable
    public func compareExchange32(at offset: Int, expected: UInt32, desired: UInt32) -> UInt32 {
        let address = checkedAddress(offset, 4)
        precondition(address & 3 == 0, "an atomic word must be aligned")
        // SAFETY: bounds and alignment checked above; the region's creator promised it is
        // writable and owned by its holders; a locked cmpxchg on an aligned word is atomic.
        return unsafe x86_compare_exchange32(address, expected, desired)
    }

    /// Sets `count` bytes starting at `offset` to `byte`.
    @inlinable
    public func fill(_ byte: UInt8, offset: Int = 0, count: Int) {
        let address = checkedAddress(offset, count)
        guard count > 0 else { return }
        #if hasFeature(Embedded)
        if address & 7 == 0 && count & 7 == 0 {
            // SAFETY: bounds checked above; the region is writable by its creator's promise.
            // REP STOSQ writes exactly `count` bytes from `address`.
            unsafe x86_store_qwords(address, UInt64(byte) &* 0x0101_0101_0101_0101, UInt64(count / 8))
            return
        }
        #endif
        // SAFETY: bounds checked above; writable by the creator's promise.
        unsafe UnsafeMutableRawPointer(bitPattern: UInt(address)).unsafelyUnwrapped.initializeMemory(as: UInt8.self, repeating: byte, count: count)
    }

    /// Copies `count` bytes from `source` at `sourceOffset` to this region at `offset`.
    /// Overlapping ranges are copied as if through a temporary buffer.
    @inlinable
    public func copy(from source: MemoryRegion, sourceOffset: Int = 0, to offset: Int = 0, count: Int) {
        let from = source.checkedAddress(sourceOffset, count)
        let to = checkedAddress(offset, count)
        guard count > 0 else { return }
        // SAFETY: both ranges were bounds-checked against their regions; memmove semantics
        // make overlap harmless.
        unsafe UnsafeMutableRawPointer(bitPattern: UInt(to)).unsafelyUnwrapped.copyMemory(
            from: UnsafeRawPointer(bitPattern: UInt(from)).unsafelyUnwrapped, byteCount: count)
    }

    /// Copies `bytes` into the region at `offset`.
    @inlinable
    public func copy(bytes: [UInt8], to offset: Int) {
        copy(from: bytes, arrayOffset: 0, count: bytes.count, to: offset)
    }

    /// Copies `count` bytes of the region from `offset` into `array` from `arrayOffset`, in one
    /// move and without allocating (both ranges are bounds-checked).
    @inlinable
    public func copy(at offset: Int, count: Int, into array: inout [UInt8], at arrayOffset: Int) {
        let from = checkedAddress(offset, count)
        precondition(arrayOffset >= 0 && count >= 0 && arrayOffset <= array.count && count <= array.count - arrayOffset,
                     "a copy beyond the array")
        guard count > 0 else { return }
        // SAFETY: the region's range was bounds-checked, the array's just above; the array's
        // buffer is its own (unique after withUnsafeMutableBytes) and cannot overlap the region.
        unsafe array.withUnsafeMutableBytes { buffer in
            unsafe buffer.baseAddress.unsafelyUnwrapped.advanced(by: arrayOffset)
                .copyMemory(from: UnsafeRawPointer(bitPattern: UInt(from)).unsafelyUnwrapped, byteCount: count)
        }
    }

    /// Copies `count` bytes of `array` from `arrayOffset` into the region at `offset`, in one
    /// move and without allocating (both ranges are bounds-checked).
    @inlinable
    public func copy(from array: [UInt8], arrayOffset: Int, count: Int, to offset: Int) {
        let to = checkedAddress(offset, count)
        precondition(arrayOffset >= 0 && count >= 0 && arrayOffset <= array.count && count <= array.count - arrayOffset,
                     "a copy beyond the array")
        guard count > 0 else { return }
        // SAFETY: as above, in the other direction; the array is only read.
        unsafe array.withUnsafeBytes { buffer in
            unsafe UnsafeMutableRawPointer(bitPattern: UInt(to)).unsafelyUnwrapped
                .copyMemory(from: buffer.baseAddress.unsafelyUnwrapped.advanced(by: arrayOffset), byteCount: count)
        }
    }

    /// `count` bytes starting at `offset`, as an array.
    @inlinable
    public func bytes(at offset: Int, count: Int) -> [UInt8] {
        _ = checkedAddress(offset, count)
        var result = [UInt8](repeating: 0, count: count)
        copy(at: offset, count: count, into: &result, at: 0)
        return result
    }

    /// The part of this region of `size` bytes starting at `offset`.
    @inlinable
    public func subregion(offset: Int, size: Int) -> MemoryRegion {
        let address = checkedAddress(offset, size)
        // SAFETY: a sub-range of a valid region is valid under the same promise.
        return unsafe MemoryRegion(unsafeBase: address, size: size)
    }

    /// The byte offset of `address` in the region, or nil when it lies outside.
    @inlinable
    public func offset(of address: UInt64) -> Int? {
        contains(address: address) ? Int(address - base) : nil
    }
}

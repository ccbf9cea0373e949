#if hasFeature(Embedded)
import X86

// The C symbols the Embedded Swift runtime calls. Kernel images only: on the host they
// would replace libc's.

/// `int posix_memalign(void **result, size_t alignment, size_t size)`: the runtime's only
/// allocation entry point. Never fails: exhaustion is a kernel panic naming the request.
@_cdecl("posix_memalign")
func posixMemalign(_ result: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ alignment: Int, _ size: Int) -> Int32 {
    let block = RuntimeAllocator.allocate(size: size, alignment: max(alignment, 16))
    // SAFETY: the runtime passes a valid pointer to its result slot; the block is fresh heap
    // memory of at least `size` bytes.
    unsafe result.pointee = UnsafeMutableRawPointer(bitPattern: UInt(block))
    return 0
}

/// `void free(void *block)`.
@_cdecl("free")
func free(_ block: UnsafeMutableRawPointer?) {
    RuntimeAllocator.free(UInt64(UInt(bitPattern: block)))
}

/// `void arc4random_buf(void *buffer, size_t count)`: the seed of Dictionary and Set
/// hashing. Filled from RDRAND where the processor has it, else from the TSC through a
/// SplitMix64 mixer (unpredictable enough to spread hash tables, not cryptographic).
@_cdecl("arc4random_buf")
func arc4randomBuffer(_ buffer: UnsafeMutableRawPointer?, _ count: Int) {
    // SAFETY: only checks the pointer for nil; it is written below, within `count`.
    guard let buffer = unsafe buffer, count > 0 else { return }
    var state = TimeStampCounter.read()
    for index in 0..<count {
        if index % 8 == 0 {
            state = RandomSource.hardware() ?? (state &+ 0x9E37_79B9_7F4A_7C15)
        }
        var z = state &+ UInt64(index / 8)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        // SAFETY: the caller passes `count` writable bytes at `buffer`; index < count.
        unsafe buffer.storeBytes(of: UInt8(truncatingIfNeeded: z >> (UInt64(index % 8) * 8)), toByteOffset: index, as: UInt8.self)
    }
}

/// `double ceil(double)`, which the standard library's hash tables use to size themselves;
/// without calling the `ceil` intrinsic (it would call this).
@_cdecl("ceil")
func ceiling(_ x: Double) -> Double {
    guard x.isFinite, x.magnitude < 4_503_599_627_370_496 else { return x }   // 2^52: already integral
    let truncated = Double(Int64(x))
    let up = truncated < x ? truncated + 1 : truncated
    return up == 0 ? (x.sign == .minus ? -0.0 : 0.0) : up
}

/// `int putchar(int c)`: where Swift's `print` ends up.
@_cdecl("putchar")
func putchar(_ character: Int32) -> Int32 {
    Console.write(byte: UInt8(truncatingIfNeeded: character))
    return character
}
#endif

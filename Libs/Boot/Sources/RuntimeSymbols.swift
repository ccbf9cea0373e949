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

/// `int putchar(int c)`: where Swift's `print` ends up.
@_cdecl("putchar")
func putchar(_ character: Int32) -> Int32 {
    Console.write(byte: UInt8(truncatingIfNeeded: character))
    return character
}
#endif

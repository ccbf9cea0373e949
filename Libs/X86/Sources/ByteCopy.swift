/// Copies bytes between Swift arrays with one `memcpy`, where Embedded Swift's generic
/// `Array(slice)` moves them one element at a time (about three instructions a byte: 29 M
/// instructions for a 9.8 MB program taken out of its initrd).
///
/// Guarantees: sound for any caller — it reads only the slice's own elements and writes only
/// the fresh array it returns, whose count is the slice's; nothing else is reached.
public enum ByteCopy {
    /// A new array holding `slice`'s bytes.
    public static func array(_ slice: ArraySlice<UInt8>) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: slice.count)
        guard !slice.isEmpty else { return result }
        // SAFETY: both buffers are live for the closures' duration and hold exactly
        // `slice.count` bytes; the destination is the new array, aliased by nothing.
        unsafe result.withUnsafeMutableBytes { destination in
            unsafe slice.withUnsafeBytes { source in
                unsafe destination.baseAddress.unsafelyUnwrapped.copyMemory(from: source.baseAddress.unsafelyUnwrapped, byteCount: source.count)
            }
        }
        return result
    }
}

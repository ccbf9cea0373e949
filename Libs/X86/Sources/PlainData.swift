/// A type every bit pattern of whose size is a valid value: fixed-width integers, and
/// structs of them that the fence has audited. Only such values may be loaded from memory
/// whose bytes anyone (a device, another processor, a bug) may have written.
///
/// Guarantees: a conformance needs a ``BitPatternProof``, which can only be made with
/// `unsafe`; X86 and Boot make them for the integer types and for audited structs, each with
/// a `// SAFETY:` comment. `Bool`, enums and types holding references cannot conform from
/// safe code, so ``MemoryRegion/load(as:at:)`` can never produce an invalid value. Loads
/// evaluate the proof before reading, so a conformance whose proof never returns (a
/// `fatalError()` body) stops before any byte is read.
public protocol PlainData: BitwiseCopyable {
    /// The proof that every bit pattern of `Self` is a valid value.
    static var everyBitPatternIsValid: BitPatternProof<Self> { get }
}

/// A promise, made with `unsafe` by trusted code, that every bit pattern of `Value` is valid.
///
/// Guarantees: there is no safe way to make one, so a ``PlainData`` conformance outside X86
/// and Boot cannot be written without the `unsafe` keyword the lint refuses there.
public struct BitPatternProof<Value: BitwiseCopyable>: Sendable {
    /// Asserts that every bit pattern of `Value` is valid. The caller guarantees it: `Value`
    /// holds only integers (no `Bool`, enum, pointer with provenance or reference).
    @unsafe @inlinable public init() {}
}

// SAFETY: fixed-width integers have no invalid bit patterns.
extension UInt8: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<UInt8> { unsafe BitPatternProof() } }
extension UInt16: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<UInt16> { unsafe BitPatternProof() } }
extension UInt32: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<UInt32> { unsafe BitPatternProof() } }
extension UInt64: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<UInt64> { unsafe BitPatternProof() } }
extension UInt: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<UInt> { unsafe BitPatternProof() } }
extension Int8: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<Int8> { unsafe BitPatternProof() } }
extension Int16: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<Int16> { unsafe BitPatternProof() } }
extension Int32: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<Int32> { unsafe BitPatternProof() } }
extension Int64: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<Int64> { unsafe BitPatternProof() } }
extension Int: PlainData { @inlinable public static var everyBitPatternIsValid: BitPatternProof<Int> { unsafe BitPatternProof() } }

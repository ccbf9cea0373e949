// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init()'
// The proof that a type has no invalid bit pattern can only be made with `unsafe`.
import X86

enum Flag: UInt8 { case off, on }
extension Flag: PlainData {
    static var everyBitPatternIsValid: BitPatternProof<Flag> { BitPatternProof() }
}

// expected-error: type 'Flag' does not conform to protocol 'PlainData'
// An enum has invalid bit patterns (here every byte but 0 and 1): it must not become loadable.
import X86

enum Flag: UInt8 { case off, on }
extension Flag: PlainData {}

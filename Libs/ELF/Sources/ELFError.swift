/// Why a file is not a program SwiftyHermit can load: each case names what was wrong, so the
/// loader's refusal is a clear error, never a trap.
public enum ELFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No ELF magic (`\u{7F}ELF`) at the start.
    case notELF
    /// Not ELF64 little-endian, version 1.
    case unsupportedFormat
    /// Built for another machine (the `e_machine` found).
    case wrongMachine(UInt16)
    /// Neither ET_EXEC nor ET_DYN (the `e_type` found).
    case notExecutable(UInt16)
    /// A header, a program header table or a segment runs past the end of the file.
    case truncated
    /// The program header table is malformed (entry size, count, or an impossible value).
    case badProgramHeaders
    /// A segment's numbers overflow, or its file size exceeds its memory size.
    case badSegment
    /// Loadable segments overlap, or are not in address order.
    case overlappingSegments
    /// A loadable segment's file offset and address differ modulo its alignment.
    case misalignedSegment
    /// It asks for a dynamic loader (PT_INTERP): only static executables run.
    case dynamicallyLinked
    /// No loadable segment, or the entry point lies outside every executable one.
    case noEntryPoint

    public var description: String {
        switch self {
        case .notELF: "not an ELF file"
        case .unsupportedFormat: "not a 64-bit little-endian ELF file"
        case .wrongMachine(let machine): "built for machine \(machine), not x86-64 (62)"
        case .notExecutable(let type): "ELF type \(type) is not an executable (ET_EXEC or ET_DYN)"
        case .truncated: "truncated: a header or segment runs past the end of the file"
        case .badProgramHeaders: "malformed program header table"
        case .badSegment: "a segment's sizes or addresses are impossible"
        case .overlappingSegments: "loadable segments overlap or are out of order"
        case .misalignedSegment: "a segment's file offset and address disagree modulo its alignment"
        case .dynamicallyLinked: "dynamically linked (it names an interpreter): build it with -static or -static-executable"
        case .noEntryPoint: "the entry point is outside every executable segment"
        }
    }
}

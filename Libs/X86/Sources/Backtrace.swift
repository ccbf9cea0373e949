/// A frame-pointer backtrace: the chain of return addresses saved on a stack.
///
/// Guarantees: it only reads stack memory through the ``MemoryRegion``s it is given, checks
/// every frame pointer against them, and stops at the first frame that is not strictly
/// above the previous one, so a corrupted stack yields a short backtrace, never a fault.
public struct Backtrace: Sendable {
    /// Return addresses, innermost first.
    public private(set) var returnAddresses: [UInt64] = []

    /// The most frames a backtrace records.
    public static let maximumDepth = 24

    /// Walks the frame chain starting at `framePointer` through the stacks in `stacks`.
    /// Each frame is [saved rbp][return address] at `framePointer`.
    public init(framePointer: UInt64, stacks: [MemoryRegion]) {
        var addresses: [UInt64] = []
        Backtrace.walk(framePointer: framePointer, stacks: stacks) { addresses.append($0) }
        returnAddresses = addresses
    }

    /// Calls `body` with each return address, innermost first, without allocating.
    public static func walk(framePointer: UInt64, stacks: [MemoryRegion], _ body: (UInt64) -> Void) {
        var rbp = framePointer
        var depth = 0
        while depth < maximumDepth, rbp != 0, rbp & 7 == 0 {
            var found: MemoryRegion? = nil
            for stack in stacks where stack.contains(address: rbp, count: 16) { found = stack; break }
            guard let stack = found, let offset = stack.offset(of: rbp) else { break }
            let next = stack.load(as: UInt64.self, at: offset)
            let returnAddress = stack.load(as: UInt64.self, at: offset + 8)
            if returnAddress == 0 { break }
            body(returnAddress)
            depth += 1
            guard next > rbp else { break }
            rbp = next
        }
    }
}

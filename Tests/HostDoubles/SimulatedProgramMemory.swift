import LinuxABI

/// A flat window of program memory, readable and writable throughout: the host's stand-in for
/// the kernel's view of a program's pages (LinuxABI's tests, Tools/request-path).
///
/// Guarantees: an access that leaves `[base, base + size)` fails (nil or false) and changes
/// nothing; everything else reads back what was written.
public final class SimulatedProgramMemory: ProgramMemory {
    public let base: UInt64
    public var bytes: [UInt8]

    public init(base: UInt64 = 0x10_0000, size: Int = 1 << 16) {
        self.base = base
        bytes = Array(repeating: 0, count: size)
    }

    public func read(_ address: UInt64, count: Int) -> [UInt8]? {
        guard address >= base, count >= 0, address - base <= UInt64(bytes.count), UInt64(count) <= UInt64(bytes.count) - (address - base) else { return nil }
        let start = Int(address - base)
        return Array(bytes[start..<(start + count)])
    }

    public func write(_ address: UInt64, _ data: [UInt8]) -> Bool {
        guard address >= base, address - base <= UInt64(bytes.count), UInt64(data.count) <= UInt64(bytes.count) - (address - base) else { return false }
        let start = Int(address - base)
        bytes.replaceSubrange(start..<(start + data.count), with: data)
        return true
    }

    /// Writes `text` and a NUL at `address`; returns `address`.
    public func put(_ text: String, at address: UInt64) -> UInt64 {
        _ = write(address, Array(text.utf8) + [0])
        return address
    }

    /// The little-endian 64-bit word at `address` (which must be inside the window).
    public func word(_ address: UInt64) -> UInt64 {
        let b = read(address, count: 8)!
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[$1]) << UInt64(8 * $1) }
    }
}

/// An I/O APIC (Intel 82093AA data sheet; ACPI MADT type 1): routes device interrupt lines
/// to local APIC vectors.
///
/// Guarantees: accesses go through a bounds-checked ``MMIOWindow`` over its register page;
/// a redirection entry written here is fixed delivery, physical destination, with the given
/// polarity and trigger mode, and reserved bits clear.
public struct IOAPIC: Sendable {
    let window: MMIOWindow

    static let registerSelect = 0x00
    static let registerWindow = 0x10
    static let versionRegister: UInt32 = 0x01

    /// An I/O APIC reached through `window` (its 4 KiB register page, mapped uncached). The
    /// caller (Boot) promises the window is an I/O APIC's page.
    @unsafe public init(window: MMIOWindow) { self.window = window }

    func read(_ register: UInt32) -> UInt32 {
        window.write(register, at: IOAPIC.registerSelect)
        return window.read(UInt32.self, at: IOAPIC.registerWindow)
    }

    func write(_ register: UInt32, _ value: UInt32) {
        window.write(register, at: IOAPIC.registerSelect)
        window.write(value, at: IOAPIC.registerWindow)
    }

    /// How many input lines it has.
    public var lineCount: Int { Int((read(IOAPIC.versionRegister) >> 16) & 0xFF) + 1 }

    /// Routes input `line` to `vector` on the processor with `apicID`, unmasked.
    public func route(line: Int, vector: UInt8, to apicID: UInt32, activeLow: Bool = false, levelTriggered: Bool = false) {
        precondition(line >= 0 && line < lineCount, "I/O APIC line out of range")
        precondition(vector >= 32, "a device interrupt on an exception vector")
        var low = UInt32(vector)
        if activeLow { low |= 1 << 13 }
        if levelTriggered { low |= 1 << 15 }
        write(0x10 + UInt32(2 * line) + 1, (apicID & 0xFF) << 24)
        write(0x10 + UInt32(2 * line), low)
    }

    /// Masks input `line`.
    public func mask(line: Int) {
        precondition(line >= 0 && line < lineCount, "I/O APIC line out of range")
        write(0x10 + UInt32(2 * line), 1 << 16)
    }
}

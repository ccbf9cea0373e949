/// A PCI function's MSI-X table (PCI Local Bus 3.0 §6.8.2), written only with messages that
/// target a local APIC.
///
/// Guarantees: made only by the fence (the init is `@unsafe`; Boot's `DeviceWindows` makes one
/// from the table's location it reads itself), over exactly the table; an entry is written
/// only inside the table, only from a ``MessageSignalledInterrupt`` — an address in the local
/// APICs' window and a fixed delivery of a vector of 32 or above — masked while it changes,
/// so a device can never be told to write anywhere else or to deliver INIT or NMI.
public struct MessageInterruptTable: Sendable {
    let window: MMIOWindow
    /// Entries in the table.
    public let entries: Int
    /// The function it belongs to.
    public let function: PCIConfigurationSpace.Function
    /// The offset of its MSI-X capability in configuration space.
    public let capability: UInt8

    /// The table of `entries` entries in `window`. The caller promises the window is exactly
    /// that function's MSI-X table, mapped uncached.
    @unsafe public init(window: MMIOWindow, entries: Int, function: PCIConfigurationSpace.Function, capability: UInt8) {
        precondition(entries > 0 && window.size >= entries * 16, "an MSI-X window smaller than its table")
        self.window = window
        self.entries = entries
        self.function = function
        self.capability = capability
    }

    /// Points entry `index` at `message` and unmasks it.
    public func set(_ index: Int, to message: MessageSignalledInterrupt) {
        precondition(index >= 0 && index < entries, "MSI-X entry outside the table")
        let entry = index * 16
        window.write(UInt32(1), at: entry + 12)   // masked while it changes
        window.write(UInt32(truncatingIfNeeded: message.address), at: entry)
        window.write(UInt32(truncatingIfNeeded: message.address >> 32), at: entry + 4)
        window.write(message.data, at: entry + 8)
        window.write(UInt32(0), at: entry + 12)
    }

    /// Turns MSI-X on for the function (function mask off) and its legacy interrupt off.
    public func enable() {
        PCIConfigurationSpace.setCommand(function, set: [.interruptDisable])
        PCIConfigurationSpace.setMessageInterrupts(function, capability: capability, enabled: true, functionMasked: false)
    }
}

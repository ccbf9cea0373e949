/// What a device writes to raise an interrupt by message (PCI MSI/MSI-X; Intel SDM Vol. 3
/// §11.11): the local APIC's address window with the destination APIC ID, and the vector.
///
/// Guarantees: the address targets one processor in physical destination mode, the data
/// asks for a fixed, edge-triggered delivery of `vector`.
public struct MessageSignalledInterrupt: Sendable, Equatable {
    /// The address the device writes: inside the local APICs' window (0xFEE0_0000).
    public let address: UInt64
    /// The data the device writes: a fixed delivery of the vector.
    public let data: UInt32

    /// The message for `vector` (32 or above) on the processor with `destinationAPIC` (below 256).
    public init(destinationAPIC: UInt32, vector: UInt8) {
        precondition(destinationAPIC < 256, "xAPIC message addresses carry an 8-bit destination")
        precondition(vector >= 32, "a device interrupt on an exception vector")
        address = 0xFEE0_0000 | UInt64(destinationAPIC) << 12
        data = UInt32(vector)
    }
}

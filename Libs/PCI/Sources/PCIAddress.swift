/// A PCI function's location: bus, device (0...31), function (0...7).
public struct PCIAddress: Hashable, Sendable, CustomStringConvertible {
    public let bus: UInt8
    public let device: UInt8
    public let function: UInt8

    public init(bus: UInt8, device: UInt8, function: UInt8) {
        precondition(device < 32 && function < 8, "PCI device 0...31, function 0...7")
        self.bus = bus
        self.device = device
        self.function = function
    }

    public var description: String {
        func hex(_ value: UInt8, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        return "\(hex(bus, 2)):\(hex(device, 2)).\(function)"
    }
}

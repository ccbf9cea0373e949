import X86Shim

/// A value that can travel through an I/O port: `UInt8`, `UInt16` or `UInt32`.
public protocol PortValue: BitwiseCopyable {
    /// Reads a value from `port` (IN).
    static func read(port: UInt16) -> Self
    /// Writes `value` to `port` (OUT).
    static func write(port: UInt16, value: Self)
}

extension UInt8: PortValue {
    @inlinable public static func read(port: UInt16) -> UInt8 {
        #if hasFeature(Embedded)
        return x86_inb(port)
        #else
        BareMachine.unavailable("inb")
        #endif
    }
    @inlinable public static func write(port: UInt16, value: UInt8) {
        #if hasFeature(Embedded)
        x86_outb(port, value)
        #else
        BareMachine.unavailable("outb")
        #endif
    }
}

extension UInt16: PortValue {
    @inlinable public static func read(port: UInt16) -> UInt16 {
        #if hasFeature(Embedded)
        return x86_inw(port)
        #else
        BareMachine.unavailable("inw")
        #endif
    }
    @inlinable public static func write(port: UInt16, value: UInt16) {
        #if hasFeature(Embedded)
        x86_outw(port, value)
        #else
        BareMachine.unavailable("outw")
        #endif
    }
}

extension UInt32: PortValue {
    @inlinable public static func read(port: UInt16) -> UInt32 {
        #if hasFeature(Embedded)
        return x86_inl(port)
        #else
        BareMachine.unavailable("inl")
        #endif
    }
    @inlinable public static func write(port: UInt16, value: UInt32) {
        #if hasFeature(Embedded)
        x86_outl(port, value)
        #else
        BareMachine.unavailable("outl")
        #endif
    }
}

/// An I/O port carrying values of type `Value` (SDM Vol. 1 §19).
///
/// Guarantees: reads and writes are single IN/OUT instructions, inlined into the caller.
/// Port I/O cannot corrupt memory that Swift relies on (DMA-capable devices are reached
/// through their own drivers), so it is offered as a safe operation.
public struct Port<Value: PortValue>: Sendable {
    /// The port number.
    public let number: UInt16

    /// The port numbered `number`.
    @inlinable public init(_ number: UInt16) { self.number = number }

    /// Reads the port.
    @inlinable public func read() -> Value { Value.read(port: number) }

    /// Writes `value` to the port.
    @inlinable public func write(_ value: Value) { Value.write(port: number, value: value) }
}

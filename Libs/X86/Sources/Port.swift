import X86Shim

/// A value that can travel through an I/O port: `UInt8`, `UInt16` or `UInt32`.
public protocol PortValue: PlainData {
    /// Reads a value from `port` (IN). Unsafe for the reasons ``Port/init(_:)`` is.
    @unsafe static func read(port: UInt16) -> Self
    /// Writes `value` to `port` (OUT). Unsafe for the reasons ``Port/init(_:)`` is.
    @unsafe static func write(port: UInt16, value: Self)
}

extension UInt8: PortValue {
    /// IN from `port`: `@unsafe`, as ``Port/init(_:)`` says.
    @unsafe @inlinable public static func read(port: UInt16) -> UInt8 {
        #if hasFeature(Embedded)
        return x86_inb(port)
        #else
        BareMachine.unavailable("inb")
        #endif
    }
    /// OUT to `port`: `@unsafe`, as ``Port/init(_:)`` says.
    @unsafe @inlinable public static func write(port: UInt16, value: UInt8) {
        #if hasFeature(Embedded)
        x86_outb(port, value)
        #else
        BareMachine.unavailable("outb")
        #endif
    }
}

extension UInt16: PortValue {
    /// IN from `port`: `@unsafe`, as ``Port/init(_:)`` says.
    @unsafe @inlinable public static func read(port: UInt16) -> UInt16 {
        #if hasFeature(Embedded)
        return x86_inw(port)
        #else
        BareMachine.unavailable("inw")
        #endif
    }
    /// OUT to `port`: `@unsafe`, as ``Port/init(_:)`` says.
    @unsafe @inlinable public static func write(port: UInt16, value: UInt16) {
        #if hasFeature(Embedded)
        x86_outw(port, value)
        #else
        BareMachine.unavailable("outw")
        #endif
    }
}

extension UInt32: PortValue {
    /// IN from `port`: `@unsafe`, as ``Port/init(_:)`` says.
    @unsafe @inlinable public static func read(port: UInt16) -> UInt32 {
        #if hasFeature(Embedded)
        return x86_inl(port)
        #else
        BareMachine.unavailable("inl")
        #endif
    }
    /// OUT to `port`: `@unsafe`, as ``Port/init(_:)`` says.
    @unsafe @inlinable public static func write(port: UInt16, value: UInt32) {
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
/// A port can write memory: PCI configuration ports move BARs and aim MSI writes, QEMU's
/// fw_cfg DMA port (0x514) copies into guest memory, the keyboard controller and port 0xCF9
/// reset the machine. So creating one is `@unsafe`: its creator promises the port reaches a
/// device that cannot break memory safety whatever is written. Only X86 creates ports (the
/// console, the PIT, the legacy PICs, the debug-exit device, PCI configuration space);
/// other modules reach those devices through X86's typed APIs.
public struct Port<Value: PortValue>: Sendable {
    /// The port number.
    public let number: UInt16

    /// The port numbered `number`. The caller promises that no value written to it, in any
    /// order, can make a device write memory or change control flow.
    @unsafe @inlinable public init(_ number: UInt16) { self.number = number }

    /// Reads the port.
    @inlinable public func read() -> Value {
        // SAFETY: the port's creator promised it is harmless to use.
        unsafe Value.read(port: number)
    }

    /// Writes `value` to the port.
    @inlinable public func write(_ value: Value) {
        // SAFETY: as for read.
        unsafe Value.write(port: number, value: value)
    }
}

// libFuzzer target `frames`: every input is one received Ethernet frame, fed to a stack that
// listens on TCP port 80 and UDP port 7 and keeps its connections across inputs, so the
// parsers, ARP, ICMP, UDP and the TCP state machine all see arbitrary bytes. Seeds: frames
// captured from Linux (Corpus/frames). Built by Tests/Fuzz/run with Net's sources in the
// same module; not part of `swift build`.

final class FuzzDevice: NetworkDevice {
    let macAddress = MACAddress(2, 0, 0, 0, 0, 1)
    var inbox: [[UInt8]] = []
    func receive() -> [UInt8]? { inbox.isEmpty ? nil : inbox.removeFirst() }
    func transmit(_ frame: [UInt8]) -> Bool { true }
    func flush() {}
}

nonisolated(unsafe) var now: UInt64 = 1000
nonisolated(unsafe) let device = FuzzDevice()
nonisolated(unsafe) let stack: NetworkStack = {
    let stack = NetworkStack(device: device, configuration: InterfaceConfiguration(address: IPv4Address(10, 0, 0, 1), prefixLength: 24, gateway: IPv4Address(10, 0, 0, 254)),
                             clock: { now }, idle: { now += 1 })
    _ = TCPListener(stack: stack, port: 80)
    _ = UDPSocket(stack: stack, port: 7)
    return stack
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    device.inbox.append(Array(UnsafeBufferPointer(start: data, count: size)))
    stack.poll()
    now += 50
    return 0
}

// libFuzzer target `dhcp`: a DHCP client acquiring a lease from a server whose every reply is
// fuzzer input (split at the bytes "\xde\xad" into up to 8 replies, each sent as the UDP
// payload from port 67 with the client's transaction ID and MAC patched in half the time, so
// the parser sees messages that get past the first checks). The exchange must end — with a
// lease of a usable address, or nil — and never trap.
// Built by Tests/Fuzz/run with Net's sources in the same module.

final class DHCPFuzzDevice: NetworkDevice {
    let macAddress = MACAddress(2, 0, 0, 0, 0, 1)
    var inbox: [[UInt8]] = []
    var replies: [[UInt8]] = []
    var patch = false
    func receive() -> [UInt8]? { inbox.isEmpty ? nil : inbox.removeFirst() }
    func flush() {}

    func transmit(_ frame: [UInt8]) -> Bool {
        // Each client message is answered with every reply.
        guard frame.count > 14 + 20 + 8 + 8 else { return true }
        let request = Array(frame[(14 + 20 + 8)...])
        for reply in replies {
            var payload = reply
            if patch && payload.count >= 34 {
                for index in 0..<4 { payload[4 + index] = request[4 + index] }
                for index in 0..<6 { payload[28 + index] = request[28 + index] }
            }
            let udp = UDPDatagram.build(source: IPv4Address(10, 0, 0, 1), sourcePort: 67, destination: .broadcast, destinationPort: 68, payload: payload)
            let ip = IPv4Packet.build(source: IPv4Address(10, 0, 0, 1), destination: .broadcast, protocolNumber: IPv4Packet.protocolUDP, payload: udp, identification: 1)
            inbox.append(EthernetFrame.build(destination: .broadcast, source: MACAddress(2, 0, 0, 0, 0, 2), type: EthernetFrame.typeIPv4, payload: ip))
        }
        return true
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let device = DHCPFuzzDevice()
    device.patch = bytes.first.map { $0 & 1 == 1 } ?? false
    var replies: [[UInt8]] = []
    var current: [UInt8] = []
    var index = 1
    while index < bytes.count {
        if index + 1 < bytes.count && bytes[index] == 0xDE && bytes[index + 1] == 0xAD {
            replies.append(current)
            current = []
            index += 2
        } else {
            current.append(bytes[index])
            index += 1
        }
    }
    replies.append(current)
    device.replies = Array(replies.prefix(8))
    var now: UInt64 = 0
    let stack = NetworkStack(device: device, configuration: InterfaceConfiguration(address: .any, prefixLength: 0, gateway: nil),
                             clock: { now }, idle: { now += 2000 })
    if let lease = DHCPClient(stack: stack).acquireLease() {
        let first = lease.configuration.address.value >> 24
        if first == 0 || first == 127 || first >= 224 { fatalError("an unusable address was accepted") }
    }
    if now > 60_000 { fatalError("the exchange did not end in bounded time") }
    return 0
}

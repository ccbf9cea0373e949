import Testing
@testable import Net

@Suite("DHCP")
struct DHCPTests {
    /// A server's reply as bytes (BOOTREPLY with the given options).
    static func reply(_ type: DHCPMessage.MessageType, xid: UInt32, mac: MACAddress, offering address: IPv4Address) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 240)
        out[0] = 2; out[1] = 1; out[2] = 6
        out.setU32(xid, at: 4)
        out.setU32(address.value, at: 16)
        for (index, byte) in mac.array.enumerated() { out[28 + index] = byte }
        out.setU32(0x6382_5363, at: 236)
        out += [53, 1, type.rawValue, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 1, 54, 4, 10, 0, 0, 1, 51, 4, 0, 1, 0x51, 0x80, 255]
        return out
    }

    @Test func parsesARepliesOptions() throws {
        let mac = MACAddress(2, 0, 0, 0, 0, 9)
        let message = try DHCPMessage(parsing: Self.reply(.offer, xid: 7, mac: mac, offering: IPv4Address(10, 0, 0, 15)))
        #expect(message.type == .offer && message.transactionID == 7 && message.clientMAC == mac)
        #expect(message.yourAddress == IPv4Address(10, 0, 0, 15) && message.prefixLength == 24)
        #expect(message.router == IPv4Address(10, 0, 0, 1) && message.serverIdentifier == IPv4Address(10, 0, 0, 1))
        #expect(message.leaseSeconds == 86400)
    }

    @Test func malformedRepliesAreRejected() {
        let good = Self.reply(.ack, xid: 1, mac: .zero, offering: .any)
        #expect(throws: WireError.truncated) { try DHCPMessage(parsing: Array(good.prefix(200))) }
        var badLength = good
        badLength[241] = 200   // option 53's length runs past the end
        #expect(throws: WireError.truncated) { try DHCPMessage(parsing: badLength) }
        var request = good
        request[0] = 1         // a BOOTREQUEST is not a reply
        #expect(throws: WireError.unsupported) { try DHCPMessage(parsing: request) }
    }

    @Test func aClientRequestCarriesItsOptions() throws {
        var message = DHCPMessage(type: .request, transactionID: 0xABCD, clientMAC: MACAddress(2, 0, 0, 0, 0, 9))
        message.requestedAddress = IPv4Address(10, 0, 0, 15)
        let bytes = message.bytes
        #expect(bytes[0] == 1 && bytes.u32(at: 4) == 0xABCD && bytes.u16(at: 10) == 0x8000 && bytes.count >= 300)
        #expect(Array(bytes[240..<243]) == [53, 1, 3] && Array(bytes[243..<249]) == [50, 4, 10, 0, 0, 15])
    }

    @Test func aClientGetsALeaseFromAServerOnTheLink() throws {
        let hosts = TwoHosts()
        let server = try #require(UDPSocket(stack: hosts.b, port: 67))
        hosts.b.configuration = InterfaceConfiguration(address: IPv4Address(10, 0, 0, 1), prefixLength: 24, gateway: nil)
        // The server answers from the other stack's idle hook (both run on this thread).
        var answered = 0
        let client = DHCPClient(stack: hosts.a)
        hosts.serve = {
            guard let datagram = server.tryReceive(), let request = try? DHCPRequestView(datagram.data) else { return }
            let type: DHCPMessage.MessageType = request.type == 1 ? .offer : .ack
            server.send(Self.reply(type, xid: request.xid, mac: request.mac, offering: IPv4Address(10, 0, 0, 15)), to: .broadcast, port: 68)
            answered += 1
        }
        let lease = try #require(client.acquire())
        #expect(lease.address == IPv4Address(10, 0, 0, 15) && lease.prefixLength == 24 && lease.gateway == IPv4Address(10, 0, 0, 1))
        #expect(hosts.a.configuration == lease && answered == 2)
    }

    @Test func noServerMeansNilNotAHang() {
        let hosts = TwoHosts()
        #expect(DHCPClient(stack: hosts.a).acquire() == nil)
    }
}

/// The fields a test server needs from a client's message.
struct DHCPRequestView {
    let type: UInt8
    let xid: UInt32
    let mac: MACAddress
    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 243, bytes[0] == 1, bytes[240] == 53 else { throw WireError.unsupported }
        type = bytes[242]
        xid = bytes.u32(at: 4)
        mac = MACAddress(bytes, at: 28)
    }
}

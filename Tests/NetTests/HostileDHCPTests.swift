import Testing
@testable import Net

/// The DHCP client against servers that lie: every answer it gets is parsed totally, bad
/// offers are ignored, and it ends (with a lease or nil) in bounded time.
@Suite("DHCP against hostile servers")
struct HostileDHCPTests {
    /// Runs a client on host a against a server on host b that answers every client message
    /// with `answers(request)`; returns the lease and how much virtual time it took.
    func run(_ answers: @escaping (DHCPRequestView) -> [[UInt8]]) throws -> (DHCPLease?, UInt64) {
        let hosts = TwoHosts()
        let server = try #require(UDPSocket(stack: hosts.b, port: 67))
        hosts.b.configuration = InterfaceConfiguration(address: IPv4Address(10, 0, 0, 1), prefixLength: 24, gateway: nil)
        hosts.serve = {
            guard let datagram = server.tryReceive(), let request = try? DHCPRequestView(datagram.data) else { return }
            for answer in answers(request) { server.send(answer, to: .broadcast, port: 68) }
        }
        let started = hosts.clock.now
        let lease = DHCPClient(stack: hosts.a).acquireLease()
        return (lease, hosts.clock.now - started)
    }

    static func reply(_ type: DHCPMessage.MessageType, _ request: DHCPRequestView, address: IPv4Address = IPv4Address(10, 0, 0, 15),
                      options: [UInt8] = [1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 1, 54, 4, 10, 0, 0, 1]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 240)
        out[0] = 2; out[1] = 1; out[2] = 6
        out.setU32(request.xid, at: 4)
        out.setU32(address.value, at: 16)
        for (index, byte) in request.mac.array.enumerated() { out[28 + index] = byte }
        out.setU32(0x6382_5363, at: 236)
        return out + [53, 1, type.rawValue] + options + [255]
    }

    @Test func leasesOfZeroAndOfInfinityAreSafe() throws {
        for (lease, expected) in [([0, 0, 0, 0], DHCPLease.minimumSeconds), ([0xFF, 0xFF, 0xFF, 0xFF], nil), ([0, 0, 0, 60], 60)] as [([UInt8], UInt32?)] {
            let (got, _) = try run { request in
                let type: DHCPMessage.MessageType = request.type == 1 ? .offer : .ack
                return [Self.reply(type, request, options: [51, 4] + lease + [54, 4, 10, 0, 0, 1])]
            }
            let acquired = try #require(got)
            #expect(acquired.seconds == expected)
            #expect(acquired.renewalAfterMilliseconds == expected.map { UInt64($0) * 500 })
        }
    }

    @Test func badOffersAreIgnoredAndTheGoodOneIsTaken() throws {
        let (lease, _) = try run { request in
            guard request.type == 1 else { return [Self.reply(.ack, request)] }
            var wrongXID = Self.reply(.offer, request)
            wrongXID[4] ^= 0xFF
            var wrongMAC = Self.reply(.offer, request)
            wrongMAC[28] ^= 0xFF
            var truncatedOption = Self.reply(.offer, request)
            truncatedOption[truncatedOption.count - 2] = 200
            return [
                Array(Self.reply(.offer, request).prefix(100)),                         // truncated
                wrongXID, wrongMAC, truncatedOption,
                Self.reply(.offer, request, address: .broadcast),                       // not an address for us
                Self.reply(.offer, request, address: .any),
                Self.reply(.offer, request, address: IPv4Address(127, 0, 0, 1)),
                Self.reply(.offer, request, address: IPv4Address(224, 0, 0, 1)),
                Self.reply(.offer, request, options: [53, 0]),                          // a type of length 0
                Self.reply(.offer, request, options: [52, 1, 3]),                       // "options continue in sname and file": ignored
                Self.reply(.offer, request, options: [UInt8](repeating: 0, count: 1_200)),   // padding, no end
            ]
        }
        let acquired = try #require(lease)
        #expect(acquired.configuration.address == IPv4Address(10, 0, 0, 15))
    }

    @Test func aRouterOutsideTheSubnetIsNotUsed() throws {
        let (lease, _) = try run { request in
            [Self.reply(request.type == 1 ? .offer : .ack, request, options: [1, 4, 255, 255, 255, 0, 3, 4, 192, 168, 9, 9])]
        }
        let acquired = try #require(lease)
        #expect(acquired.configuration.address == IPv4Address(10, 0, 0, 15) && acquired.configuration.gateway == nil)
    }

    @Test func aServerThatOnlyLiesEndsInNilInBoundedTime() throws {
        var generator = SplitMix(seed: 5)
        let (lease, elapsed) = try run { request in
            (0..<20).map { _ in
                var bytes = Self.reply(.offer, request)
                for _ in 0..<3 { bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next()) }
                bytes[16] = 255   // never a usable address, however the rest was mangled
                return bytes
            }
        }
        #expect(lease == nil)
        #expect(elapsed <= 4 * 2_000 + 1_000, "four tries of 2 s each")
    }

    @Test func aServerThatAlwaysNaksEndsInNil() throws {
        let (lease, _) = try run { request in request.type == 1 ? [Self.reply(.offer, request)] : [Self.reply(.nak, request)] }
        #expect(lease == nil)
    }

    /// Random and mutated replies: the parser never traps and what it accepts is well formed.
    @Test func randomRepliesParseTotally() {
        var generator = SplitMix(seed: 77)
        let seed = DHCPTests.reply(.offer, xid: 1, mac: .zero, offering: IPv4Address(10, 0, 0, 15))
        for round in 0..<20_000 {
            var bytes = seed
            if round % 4 == 0 {
                bytes = (0..<Int(generator.next() % 600)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                if bytes.count >= 240 { bytes[0] = 2; bytes[1] = 1; bytes[2] = 6; bytes.setU32(0x6382_5363, at: 236) }
            } else {
                for _ in 0..<Int(generator.next() % 8) {
                    let index = 236 + Int(generator.next() % UInt64(bytes.count - 236))
                    bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                if generator.next() % 3 == 0 { bytes = Array(bytes.prefix(240 + Int(generator.next() % UInt64(bytes.count - 239)))) }
            }
            if let message = try? DHCPMessage(parsing: bytes) {
                #expect(bytes.count >= 240)
                _ = message.prefixLength
            }
        }
    }
}

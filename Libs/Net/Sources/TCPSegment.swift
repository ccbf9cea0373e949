/// A TCP segment (RFC 9293) inside a buffer.
///
/// Guarantees: a parsed segment has a data offset of at least 20 bytes that fits, and a
/// checksum that verifies against the pseudo-header; options are read only within the header
/// (a malformed option list ends the walk).
public struct TCPSegment: Sendable {
    /// Control flags.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let fin = Flags(rawValue: 0x01)
        public static let syn = Flags(rawValue: 0x02)
        public static let rst = Flags(rawValue: 0x04)
        public static let psh = Flags(rawValue: 0x08)
        public static let ack = Flags(rawValue: 0x10)
    }

    public let bytes: [UInt8]
    public let start: Int
    public let headerLength: Int
    public let end: Int

    public init(parsing bytes: [UInt8], _ range: Range<Int>, source: IPv4Address, destination: IPv4Address) throws(WireError) {
        guard range.count >= 20 else { throw .truncated }
        let o = range.lowerBound
        let headerLength = Int(bytes[o + 12] >> 4) * 4
        guard headerLength >= 20 else { throw .badLength }
        guard headerLength <= range.count else { throw .truncated }
        var checksum = IPv4Packet.pseudoHeader(source: source, destination: destination, protocolNumber: IPv4Packet.protocolTCP, length: range.count)
        checksum.add(bytes, range)
        guard checksum.verifies else { throw .badChecksum }
        self.bytes = bytes
        start = o
        self.headerLength = headerLength
        end = range.upperBound
    }

    public var sourcePort: UInt16 { bytes.u16(at: start) }
    public var destinationPort: UInt16 { bytes.u16(at: start + 2) }
    public var sequenceNumber: UInt32 { bytes.u32(at: start + 4) }
    public var acknowledgementNumber: UInt32 { bytes.u32(at: start + 8) }
    public var flags: Flags { Flags(rawValue: bytes[start + 13] & 0x1F) }
    public var window: UInt16 { bytes.u16(at: start + 14) }
    public var payloadRange: Range<Int> { (start + headerLength)..<end }
    public var payloadLength: Int { end - start - headerLength }

    /// The options the stack speaks (a malformed list ends the walk: see ``TCPOptions``).
    public var options: TCPOptions { TCPOptions(parsing: bytes, (start + 20)..<(start + headerLength)) }

    /// The maximum segment size option, if the segment carries one.
    public var maximumSegmentSize: UInt16? { options.maximumSegmentSize }

    /// A segment with its checksum; `mss` adds the option (on SYNs), `options` any others.
    public static func build(source: IPv4Address, sourcePort: UInt16, destination: IPv4Address, destinationPort: UInt16,
                             sequence: UInt32, acknowledgement: UInt32, flags: Flags, window: UInt16,
                             mss: UInt16? = nil, options: TCPOptions = TCPOptions(), payload: ArraySlice<UInt8> = []) -> [UInt8] {
        var out: [UInt8] = []
        append(to: &out, source: source, sourcePort: sourcePort, destination: destination, destinationPort: destinationPort,
               sequence: sequence, acknowledgement: acknowledgement, flags: flags, window: window, mss: mss, options: options, payload: payload)
        return out
    }

    /// Appends the segment ``build(source:sourcePort:destination:destinationPort:sequence:acknowledgement:flags:window:mss:options:payload:)``
    /// makes to `out` (after the headers below it, so a whole frame is made in one buffer).
    public static func append(to out: inout [UInt8], source: IPv4Address, sourcePort: UInt16, destination: IPv4Address, destinationPort: UInt16,
                              sequence: UInt32, acknowledgement: UInt32, flags: Flags, window: UInt16,
                              mss: UInt16? = nil, options: TCPOptions = TCPOptions(), payload: ArraySlice<UInt8> = []) {
        var options = options
        if let mss { options.maximumSegmentSize = mss }
        let encoded = options.encoded
        let headerLength = 20 + encoded.count
        let start = out.count
        out.reserveCapacity(start + headerLength + payload.count)
        out.appendU16(sourcePort)
        out.appendU16(destinationPort)
        out.appendU32(sequence)
        out.appendU32(acknowledgement)
        out.append(UInt8(headerLength / 4) << 4)
        out.append(flags.rawValue)
        out.appendU16(window)
        out.appendU32(0)   // checksum, urgent pointer
        out += encoded
        out += payload
        var checksum = IPv4Packet.pseudoHeader(source: source, destination: destination, protocolNumber: IPv4Packet.protocolTCP, length: out.count - start)
        checksum.add(out, start..<out.count)
        out.setU16(checksum.value, at: start + 16)
    }
}

/// The TCP options the stack speaks (RFC 9293 §3.2): the maximum segment size, SACK-permitted
/// and SACK blocks (RFC 2018). Others (timestamps, window scale) are skipped.
///
/// Guarantees: parsing is total: a malformed list (a length below 2, or running past the
/// header) ends the walk with what was read so far; at most ``maximumSACKBlocks`` blocks are
/// kept. `encoded` is padded with NOPs to a multiple of 4 bytes and never exceeds the 40 bytes
/// a header can hold.
public struct TCPOptions: Sendable, Equatable {
    public var maximumSegmentSize: UInt16? = nil
    public var sackPermitted = false
    /// Blocks of data the peer holds above the acknowledgement: [left, right) edges.
    public var sackBlocks: [SACKBlock] = []

    /// A block of received bytes above the cumulative acknowledgement.
    public struct SACKBlock: Sendable, Equatable {
        public var left: UInt32
        public var right: UInt32
        public init(left: UInt32, right: UInt32) {
            self.left = left
            self.right = right
        }

        /// `blocks` sorted by sequence number from `base` and merged where they touch or
        /// overlap: disjoint, in order.
        public static func merged(_ blocks: [SACKBlock], from base: UInt32) -> [SACKBlock] {
            let sorted = blocks.sorted { SequenceNumber.distance(base, $0.left) < SequenceNumber.distance(base, $1.left) }
            var merged: [SACKBlock] = []
            for block in sorted {
                if let last = merged.last, SequenceNumber.lessOrEqual(block.left, last.right) {
                    if SequenceNumber.lessThan(last.right, block.right) { merged[merged.count - 1].right = block.right }
                } else {
                    merged.append(block)
                }
            }
            return merged
        }
    }

    /// Four blocks fit beside nothing else; with MSS on a SYN none are sent.
    public static let maximumSACKBlocks = 4

    /// Bytes the SACK option takes for `count` blocks (two NOPs, kind, length, 8 per block).
    public static func sackLength(blocks count: Int) -> Int { count == 0 ? 0 : 4 + 8 * count }

    public init(maximumSegmentSize: UInt16? = nil, sackPermitted: Bool = false, sackBlocks: [SACKBlock] = []) {
        self.maximumSegmentSize = maximumSegmentSize
        self.sackPermitted = sackPermitted
        self.sackBlocks = sackBlocks
    }

    /// Reads the options in `bytes[range]` (the header after its fixed 20 bytes).
    public init(parsing bytes: [UInt8], _ range: Range<Int>) {
        var index = range.lowerBound
        let limit = min(range.upperBound, bytes.count)
        while index < limit {
            let kind = bytes[index]
            if kind == 0 { return }
            if kind == 1 { index += 1; continue }
            guard index + 1 < limit else { return }
            let length = Int(bytes[index + 1])
            guard length >= 2, index + length <= limit else { return }
            switch (kind, length) {
            case (2, 4): maximumSegmentSize = bytes.u16(at: index + 2)
            case (4, 2): sackPermitted = true
            case (5, _) where length >= 10 && (length - 2) % 8 == 0:
                var block = index + 2
                while block < index + length && sackBlocks.count < TCPOptions.maximumSACKBlocks {
                    sackBlocks.append(SACKBlock(left: bytes.u32(at: block), right: bytes.u32(at: block + 4)))
                    block += 8
                }
            default: break
            }
            index += length
        }
    }

    /// The options as they go on the wire.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        if let maximumSegmentSize { out += [2, 4]; out.appendU16(maximumSegmentSize) }
        if sackPermitted { out += [1, 1, 4, 2] }
        let room = (40 - out.count - 4) / 8
        let blocks = sackBlocks.prefix(max(0, min(room, TCPOptions.maximumSACKBlocks)))
        if !blocks.isEmpty {
            out += [1, 1, 5, UInt8(TCPOptions.sackLength(blocks: blocks.count) - 2)]
            for block in blocks { out.appendU32(block.left); out.appendU32(block.right) }
        }
        while out.count % 4 != 0 { out.append(1) }
        return out
    }

    public var isEmpty: Bool { maximumSegmentSize == nil && !sackPermitted && sackBlocks.isEmpty }
}

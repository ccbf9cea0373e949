/// A pipe's buffer, shared by its two ends: bytes written at one end come out at the other in
/// order, at most ``capacity`` at a time (Linux's 64 KiB).
///
/// Guarantees: the semantics are Linux's — a read takes what is there (up to its count), or
/// ends the file when no write end is open, or would block (`EAGAIN`); a write puts what fits,
/// all at once when it is at most ``atomicSize`` (`PIPE_BUF`), `EPIPE` when no read end is open,
/// or would block when nothing fits. The counts of open ends fall only when the last
/// descriptor of an end closes (``FileDescriptorTable`` tells it).
public final class PipeBuffer {
    public static let capacity = 65_536
    public static let atomicSize = 4096

    var bytes: [UInt8] = []
    var head = 0
    public internal(set) var readers = 1
    public internal(set) var writers = 1
    /// How many writes and reads moved bytes (edges for `EPOLLET`: something arrived, room freed).
    public internal(set) var puts: UInt64 = 0
    public internal(set) var takes: UInt64 = 0

    public init() {}

    public var count: Int { bytes.count - head }

    /// `read`: up to `maximum` bytes; empty at the end of the file.
    public func take(maximum: Int) throws(LinuxError) -> [UInt8] {
        guard maximum > 0 else { return [] }
        guard count > 0 else {
            if writers == 0 { return [] }
            throw .tryAgain
        }
        let taken = Array(bytes[head..<(head + min(maximum, count))])
        head += taken.count
        takes &+= 1
        if head == bytes.count { bytes.removeAll(keepingCapacity: true); head = 0 }
        else if head >= PipeBuffer.capacity { bytes.removeFirst(head); head = 0 }
        return taken
    }

    /// What `take` would give, leaving it there (`MSG_PEEK`).
    public func peek(maximum: Int) throws(LinuxError) -> [UInt8] {
        guard maximum > 0 else { return [] }
        guard count > 0 else {
            if writers == 0 { return [] }
            throw .tryAgain
        }
        return Array(bytes[head..<(head + min(maximum, count))])
    }

    /// `write`: how many of `data`'s bytes went in (`atomic: false` for a stream socket, which
    /// takes what fits of any write).
    public func put(_ data: ArraySlice<UInt8>, atomic: Bool = true) throws(LinuxError) -> Int {
        guard readers > 0 else { throw .brokenPipe }
        guard !data.isEmpty else { return 0 }
        let space = PipeBuffer.capacity - count
        if space == 0 || (atomic && data.count <= PipeBuffer.atomicSize && space < data.count) { throw .tryAgain }
        let written = min(space, data.count)
        bytes += data.prefix(written)
        puts &+= 1
        return written
    }

    /// What an end is ready for (EPOLLIN/OUT/HUP/ERR as `poll` reports them).
    public func readiness(reading: Bool) -> UInt32 {
        if reading { return (count > 0 ? EventPoll.input : 0) | (writers == 0 ? EventPoll.hangUp : 0) }
        return (count < PipeBuffer.capacity ? EventPoll.output : 0) | (readers == 0 ? EventPoll.error : 0)
    }
}

/// One end of a pipe, as a descriptor holds it.
public struct PipeEnd {
    public let buffer: PipeBuffer
    public let reading: Bool
}

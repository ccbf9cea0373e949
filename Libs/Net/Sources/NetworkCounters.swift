/// What the stack has seen: frames in and out, and every drop by its reason.
public struct NetworkCounters: Sendable, Equatable {
    public var framesReceived = 0
    public var framesSent = 0
    public var malformed = 0
    public var badChecksums = 0
    public var fragmentsDropped = 0
    public var notForUs = 0
    public var unsupported = 0
    public var noSocket = 0
    public var backlogFull = 0
    public var unresolved = 0

    public init() {}

    mutating func count(_ error: WireError) {
        switch error {
        case .truncated, .badLength: malformed += 1
        case .badChecksum: badChecksums += 1
        case .fragment: fragmentsDropped += 1
        case .unsupported: unsupported += 1
        }
    }
}

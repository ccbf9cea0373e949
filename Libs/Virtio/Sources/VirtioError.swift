/// Why a virtio device could not be brought up.
public enum VirtioError: Error, Equatable, Sendable {
    /// A required capability (common, notify, device configuration) is missing.
    case missingCapability(UInt8)
    /// A capability points at a BAR that is not a memory BAR, or outside it.
    case badCapability(UInt8)
    /// The kernel refused to map a register window.
    case cannotMap
    /// The device did not accept the features (FEATURES_OK did not stick).
    case featuresRejected
    /// The device has no such queue, or a queue of size 0.
    case noQueue(Int)
    /// No memory for queues or buffers.
    case outOfMemory
}

extension VirtioError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .missingCapability(let type): "the device lacks virtio capability type \(type)"
        case .badCapability(let type): "virtio capability type \(type) points outside a memory BAR"
        case .cannotMap: "a register window could not be mapped"
        case .featuresRejected: "the device rejected the features (no VERSION_1?)"
        case .noQueue(let index): "the device has no queue \(index)"
        case .outOfMemory: "no memory for queues or buffers"
        }
    }
}

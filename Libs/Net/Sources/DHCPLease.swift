/// An address leased by DHCP, with its times made safe to compute with (RFC 2131 §4.4.5).
///
/// Guarantees: a lease of 0xFFFFFFFF seconds is infinite (RFC 2132 §9.2); a lease shorter
/// than ``minimumSeconds`` is treated as that long (as dhcpcd does), so a hostile zero never
/// means "renew continuously"; every time is in milliseconds in a UInt64, so no lease value
/// can overflow.
public struct DHCPLease: Sendable, Equatable {
    public static let minimumSeconds: UInt32 = 20
    /// The lease time servers omit least often (slirp's), used when the server gave none.
    public static let defaultSeconds: UInt32 = 86_400

    public let configuration: InterfaceConfiguration
    /// The lease's length in seconds; nil for an infinite lease.
    public let seconds: UInt32?

    public init(configuration: InterfaceConfiguration, leaseSeconds: UInt32?) {
        self.configuration = configuration
        let offered = leaseSeconds ?? DHCPLease.defaultSeconds
        seconds = offered == 0xFFFF_FFFF ? nil : max(offered, DHCPLease.minimumSeconds)
    }

    /// When to renew (T1, half the lease), in milliseconds after it was granted; nil if never.
    public var renewalAfterMilliseconds: UInt64? { seconds.map { UInt64($0) * 500 } }
}

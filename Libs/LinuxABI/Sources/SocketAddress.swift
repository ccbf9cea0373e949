/// A socket address as a program hands it over and gets it back: `struct sockaddr_in` (16
/// bytes: family 2, the port and the IPv4 address in network order, zeros) or
/// `struct sockaddr_un` (family 1 and a path).
///
/// Guarantees: parsing is total — too short is `EINVAL`, another family than the socket's is
/// `EAFNOSUPPORT`, a Unix path without room is `EINVAL`; encoding gives exactly Linux's bytes.
public enum SocketAddress: Equatable, Sendable {
    case inet(address: UInt32, port: UInt16)
    case unix(path: String)

    public static let unixFamily: UInt16 = 1, inetFamily: UInt16 = 2, inet6Family: UInt16 = 10
    /// `INADDR_ANY`, and the loopback network 127.0.0.0/8.
    public static let anyAddress: UInt32 = 0
    public static func isLoopback(_ address: UInt32) -> Bool { address >> 24 == 127 }

    /// The address in `bytes` for a socket of `family`.
    public static func parse(_ bytes: [UInt8], family: UInt16) throws(LinuxError) -> SocketAddress {
        guard bytes.count >= 2 else { throw .invalidArgument }
        let given = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        guard given == family else { throw .addressFamilyNotSupported }
        switch family {
        case inetFamily:
            guard bytes.count >= 16 else { throw .invalidArgument }
            let port = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
            let address = UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7])
            return .inet(address: address, port: port)
        default:
            let path = bytes[2...].prefix { $0 != 0 }
            guard !path.isEmpty, path.count < 108 else { throw .invalidArgument }
            return .unix(path: String(decoding: path, as: UTF8.self))
        }
    }

    /// The `struct sockaddr` bytes.
    public var bytes: [UInt8] {
        switch self {
        case .inet(let address, let port):
            return [2, 0, UInt8(port >> 8), UInt8(port & 0xFF), UInt8(address >> 24), UInt8(address >> 16 & 0xFF),
                    UInt8(address >> 8 & 0xFF), UInt8(address & 0xFF), 0, 0, 0, 0, 0, 0, 0, 0]
        case .unix(let path):
            return [1, 0] + Array(path.utf8) + [0]
        }
    }
}

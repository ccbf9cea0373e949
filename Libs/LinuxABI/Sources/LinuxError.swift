/// Linux's error numbers (`include/uapi/asm-generic/errno-base.h` and `errno.h`) that the
/// system-call layer returns, negated, in `rax`.
public enum LinuxError: Int32, Error, Sendable, Equatable {
    case notPermitted = 1          // EPERM
    case noEntry = 2               // ENOENT
    case badFileDescriptor = 9     // EBADF
    case tryAgain = 11             // EAGAIN
    case outOfMemory = 12          // ENOMEM
    case accessDenied = 13         // EACCES
    case badAddress = 14           // EFAULT
    case busy = 16                 // EBUSY
    case exists = 17               // EEXIST
    case crossDevice = 18          // EXDEV
    case notDirectory = 20         // ENOTDIR
    case isDirectory = 21          // EISDIR
    case invalidArgument = 22      // EINVAL
    case tooManyOpenFiles = 24     // EMFILE
    case notTerminal = 25          // ENOTTY
    case fileTooLarge = 27         // EFBIG
    case noSpace = 28              // ENOSPC
    case illegalSeek = 29          // ESPIPE
    case readOnlyFileSystem = 30   // EROFS
    case brokenPipe = 32           // EPIPE
    case outOfRange = 34           // ERANGE
    case nameTooLong = 36          // ENAMETOOLONG
    case tooManySymbolicLinks = 40 // ELOOP
    case notImplemented = 38       // ENOSYS
    case noData = 61               // ENODATA
    case notEmpty = 39             // ENOTEMPTY
    case notSocket = 88            // ENOTSOCK
    case destinationRequired = 89  // EDESTADDRREQ
    case messageTooLong = 90       // EMSGSIZE
    case protocolOptionUnknown = 92 // ENOPROTOOPT
    case protocolNotSupported = 93 // EPROTONOSUPPORT
    case socketTypeNotSupported = 94 // ESOCKTNOSUPPORT
    case notSupported = 95         // EOPNOTSUPP
    case addressFamilyNotSupported = 97 // EAFNOSUPPORT
    case addressInUse = 98         // EADDRINUSE
    case addressNotAvailable = 99  // EADDRNOTAVAIL
    case networkUnreachable = 101  // ENETUNREACH
    case connectionReset = 104     // ECONNRESET
    case alreadyConnected = 106    // EISCONN
    case notConnected = 107        // ENOTCONN
    case timedOut = 110            // ETIMEDOUT
    case connectionRefused = 111   // ECONNREFUSED
    case alreadyInProgress = 114   // EALREADY
    case inProgress = 115          // EINPROGRESS

    /// The value a system call returns for this error: `-errno`.
    public var returnValue: Int64 { -Int64(rawValue) }
}

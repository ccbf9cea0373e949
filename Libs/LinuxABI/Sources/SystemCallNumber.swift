/// The x86-64 system-call numbers the layer knows (`arch/x86/entry/syscalls/syscall_64.tbl`),
/// with their names for the trace.
public enum SystemCallNumber: Int, Sendable, CaseIterable {
    case read = 0, write = 1, open = 2, close = 3, stat = 4, fstat = 5, lstat = 6, poll = 7, lseek = 8
    case mmap = 9, mprotect = 10, munmap = 11, brk = 12, rtSigaction = 13, rtSigprocmask = 14, ioctl = 16
    case pread64 = 17, readv = 19, writev = 20, access = 21, schedYield = 24, madvise = 28, dup = 32, dup2 = 33
    case nanosleep = 35, getpid = 39, clone = 56, exit = 60, uname = 63, fcntl = 72, getcwd = 79
    case readlink = 89, gettimeofday = 96, sysinfo = 99, getuid = 102, getgid = 104, geteuid = 107, getegid = 108, getppid = 110
    case sigaltstack = 131, setpriority = 141, prctl = 157, archPrctl = 158, gettid = 186, time = 201, futex = 202, epollCreate = 213, epollWait = 232, epollControl = 233, schedGetaffinity = 204
    case getdents64 = 217, setTidAddress = 218, clockGettime = 228, clockGetres = 229, clockNanosleep = 230
    case exitGroup = 231, epollPwait = 281, timerfdCreate = 283, eventfd = 284, timerfdSettime = 286, timerfdGettime = 287, eventfd2 = 290, epollCreate1 = 291, openat = 257, newfstatat = 262, readlinkat = 267, setRobustList = 273, dup3 = 292
    case pipe2 = 293, prlimit64 = 302, getrandom = 318, statx = 332, rseq = 334, clone3 = 435

    /// The name `strace` prints.
    public var name: String {
        switch self {
        case .read: "read"
        case .write: "write"
        case .open: "open"
        case .close: "close"
        case .stat: "stat"
        case .fstat: "fstat"
        case .lstat: "lstat"
        case .poll: "poll"
        case .lseek: "lseek"
        case .mmap: "mmap"
        case .mprotect: "mprotect"
        case .munmap: "munmap"
        case .brk: "brk"
        case .rtSigaction: "rt_sigaction"
        case .rtSigprocmask: "rt_sigprocmask"
        case .ioctl: "ioctl"
        case .pread64: "pread64"
        case .readv: "readv"
        case .writev: "writev"
        case .access: "access"
        case .schedYield: "sched_yield"
        case .madvise: "madvise"
        case .dup: "dup"
        case .dup2: "dup2"
        case .nanosleep: "nanosleep"
        case .getpid: "getpid"
        case .clone: "clone"
        case .exit: "exit"
        case .uname: "uname"
        case .fcntl: "fcntl"
        case .getcwd: "getcwd"
        case .readlink: "readlink"
        case .gettimeofday: "gettimeofday"
        case .getuid: "getuid"
        case .getgid: "getgid"
        case .geteuid: "geteuid"
        case .getegid: "getegid"
        case .getppid: "getppid"
        case .sigaltstack: "sigaltstack"
        case .prctl: "prctl"
        case .archPrctl: "arch_prctl"
        case .gettid: "gettid"
        case .futex: "futex"
        case .schedGetaffinity: "sched_getaffinity"
        case .getdents64: "getdents64"
        case .setTidAddress: "set_tid_address"
        case .clockGettime: "clock_gettime"
        case .clockGetres: "clock_getres"
        case .clockNanosleep: "clock_nanosleep"
        case .exitGroup: "exit_group"
        case .openat: "openat"
        case .newfstatat: "newfstatat"
        case .readlinkat: "readlinkat"
        case .setRobustList: "set_robust_list"
        case .dup3: "dup3"
        case .pipe2: "pipe2"
        case .prlimit64: "prlimit64"
        case .getrandom: "getrandom"
        case .statx: "statx"
        case .rseq: "rseq"
        case .clone3: "clone3"
        case .sysinfo: "sysinfo"
        case .setpriority: "setpriority"
        case .time: "time"
        case .epollCreate: "epoll_create"
        case .epollCreate1: "epoll_create1"
        case .epollControl: "epoll_ctl"
        case .epollWait: "epoll_wait"
        case .epollPwait: "epoll_pwait"
        case .eventfd: "eventfd"
        case .eventfd2: "eventfd2"
        case .timerfdCreate: "timerfd_create"
        case .timerfdSettime: "timerfd_settime"
        case .timerfdGettime: "timerfd_gettime"
        }
    }
}

/// `/proc/<tid>/stat`, `/proc/self/stat`, `/proc/thread-self/stat` and
/// `/proc/<pid>/task/<tid>/stat`: one thread's status line, generated when it is opened from
/// what the mechanism says of that thread (``LinuxProcess/threadState``). libdispatch's
/// worker-pool monitor reads them to count the threads that run (and ends the program if one
/// of its workers has none), so Swift concurrency's global executor needs them.
///
/// Guarantees: total over any path — a path of another shape is not one of these (nil: the
/// file system looks it up), a tid no thread has is `ENOENT`, opening for writing `EACCES`;
/// the line has Linux's 52 fields in Linux's order, with the state third.
extension LinuxProcess {
    /// The tid a status path names (`self` is the process, `thread-self` the calling thread,
    /// which the layer does not tell apart: the process), or nil when `path` is no such path.
    static func threadStatusTID(_ path: String) -> Int32?? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts.count <= 5, parts[0] == "proc", parts[parts.count - 1] == "stat" else { return nil }
        func id(_ part: Substring) -> Int32?? {
            if part == "self" || part == "thread-self" { return .some(Int32(processID)) }
            guard !part.isEmpty, part.utf8.count <= 9, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return .some(Int32(part))
        }
        switch parts.count {
        case 3: return id(parts[1])                                   // /proc/<tid>/stat
        case 5:                                                        // /proc/<pid>/task/<tid>/stat
            guard parts[2] == "task", case .some(let process) = id(parts[1]) else { return nil }
            guard process == Int32(processID) else { return .some(nil) }
            return id(parts[3])
        default: return nil
        }
    }

    /// Opens a status file if `path` names one.
    func threadStatusFile(_ path: String, flags: UInt64) throws(LinuxError) -> Int32? {
        guard case .some(let named) = Self.threadStatusTID(path) else { return nil }
        guard let tid = named, let state = threadState(tid) else { throw .noEntry }
        guard Int32(truncatingIfNeeded: flags) & OpenFlags.accessMode == OpenFlags.readOnly else { throw .accessDenied }
        return try files.open(generated: .threadStatus, bytes: Array(threadStatusLine(tid: tid, state: state).utf8), flags: Int32(truncatingIfNeeded: flags))
    }

    /// The line: `tid (comm) state ppid pgrp session tty tpgid flags` and the counters, times,
    /// priority, thread count, sizes and signal masks that follow, zero where the layer keeps
    /// no such figure.
    func threadStatusLine(tid: Int32, state: UInt8) -> String {
        let name = String((executable.split(separator: "/").last.map(String.init) ?? "program").prefix(15))
        let pid = Self.processID
        var fields = ["\(tid)", "(\(name))", String(decoding: [state], as: UTF8.self), "0", "\(pid)", "\(pid)", "0", "-1", "4194560"]
        fields += Array(repeating: "0", count: 8)                 // minflt … cstime
        fields += ["20", "0", "1", "0", "0"]                      // priority, nice, num_threads, itrealvalue, starttime
        fields += ["\(breakCurrent)", "0"]                        // vsize, rss
        fields += Array(repeating: "0", count: 52 - fields.count)
        return fields.joined(separator: " ") + "\n"
    }
}

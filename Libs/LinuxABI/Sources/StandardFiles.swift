/// The files the kernel puts beside the initrd's, so that unmodified programs find what Linux
/// gives them (what the Swift runtime, glibc, Dispatch and NIO read at start-up): the
/// executable behind `/proc/self/exe`, the mappings in `/proc/self/maps`, the processors in
/// `/proc/cpuinfo` and `/sys/devices/system/cpu/{online,possible}`, the memory in
/// `/proc/meminfo`, a root user in `/etc/passwd` and `/etc/group`, `localhost` in
/// `/etc/hosts`, and the devices `/dev/null`, `/dev/zero`, `/dev/random`, `/dev/urandom` and
/// `/dev/console`, plus an empty `/tmp` (writable when the ``FileSystem`` has a
/// ``TemporaryStore``).
public enum StandardFiles {
    /// Where the serial console is: standard input, output and error.
    public static let consolePath = "/dev/console"

    public static func extras(executable: String, processors: Int, memoryBytes: UInt64, processorName: String) -> [FileSystem.Extra] {
        let count = max(1, processors)
        let range = count == 1 ? "0\n" : "0-\(count - 1)\n"
        var cpuinfo = ""
        for index in 0..<count {
            cpuinfo += "processor\t: \(index)\nvendor_id\t: SwiftyHermit\nmodel name\t: \(processorName)\n"
            cpuinfo += "physical id\t: 0\ncore id\t\t: \(index)\ncpu cores\t: \(count)\nflags\t\t: fpu tsc sse sse2\n\n"
        }
        let kibibytes = memoryBytes / 1024
        let meminfo = "MemTotal:       \(kibibytes) kB\nMemFree:        \(kibibytes) kB\nMemAvailable:   \(kibibytes) kB\n"
        return [
            .symbolicLink(path: "/proc/self/exe", target: executable),
            .generated(path: "/proc/self/maps", .processMaps),
            .file(path: "/proc/cpuinfo", bytes: Array(cpuinfo.utf8)),
            .file(path: "/proc/meminfo", bytes: Array(meminfo.utf8)),
            .file(path: "/sys/devices/system/cpu/online", bytes: Array(range.utf8)),
            .file(path: "/sys/devices/system/cpu/possible", bytes: Array(range.utf8)),
            .file(path: "/etc/passwd", bytes: Array("root:x:0:0:root:/root:/bin/sh\n".utf8)),
            .file(path: "/etc/group", bytes: Array("root:x:0:\n".utf8)),
            .file(path: "/etc/hosts", bytes: Array("127.0.0.1\tlocalhost\n::1\tlocalhost\n".utf8)),
            .device(path: "/dev/null", .null),
            .device(path: "/dev/zero", .zero),
            .device(path: "/dev/random", .random),
            .device(path: "/dev/urandom", .random),
            .device(path: "/dev/console", .console),
            .directory(path: "/tmp"),
        ]
    }

    /// `/proc/self/maps` for `mappings`, in Linux's format
    /// (`start-end perms offset dev inode path`, addresses in lower-case hexadecimal, at least 8
    /// digits; private mappings marked `p`).
    public static func processMaps(_ mappings: MemoryMappings, executable: String, programRange: Range<UInt64>?) -> [UInt8] {
        var text = ""
        for mapping in mappings.mappings {
            let permissions = (mapping.protection.contains(.read) ? "r" : "-") + (mapping.protection.contains(.write) ? "w" : "-")
                + (mapping.protection.contains(.execute) ? "x" : "-") + "p"
            var line = hex(mapping.range.lowerBound) + "-" + hex(mapping.range.upperBound) + " " + permissions + " 00000000 00:00 0"
            if let programRange, programRange.overlaps(mapping.range) { line += String(repeating: " ", count: 10) + executable }
            text += line + "\n"
        }
        return Array(text.utf8)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}

import Foundation
import Testing
import HostProcess
import LinuxABI

/// File descriptors against Linux's: the same random sequences of `open`, `read`, `pread64`,
/// `lseek`, `fstat`, `dup`, `dup2` and `close` (read-only, on the tree of
/// ``FileSystemTests``, bind-mounted read-only on the host), run by Linux through Python's
/// `os` module and by the table; every descriptor number, byte and errno must agree.
@Suite("File descriptors")
struct FileDescriptorTableTests {
    static func table() -> FileDescriptorTable {
        let tree = FileSystemTests.tree()
        return FileDescriptorTable(fileSystem: tree, console: try! tree.lookup("/dev/null"))
    }

    @Test func randomCallSequencesAgreeWithLinux() throws {
        let root = try HostProcess.temporaryDirectory("fd-tests")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileSystemTests.unpack(at: root)
        // Read-only, as the initrd is: a read-only bind mount of the tree (needs root, as the
        // tap tests do), so Linux answers EROFS where the table must.
        try Self.mount(["--bind", root.path, root.path])
        defer { try? Self.mount(["-u", root.path]) }
        try Self.mount(["-o", "remount,bind,ro", root.path])
        let paths = ["etc/passwd", "data/a.txt", "data/sub/b.bin", "empty", "bin/tool", "data", "link-to-a", "missing", "loop1", "dev/null", "data/sub/up"]
        let flags: [Int32] = [0, OpenFlags.directory, OpenFlags.noFollow, OpenFlags.closeOnExec, OpenFlags.readWrite, OpenFlags.create]
        var random = SystemRandomNumberGenerator()
        var calls: [String] = []
        for _ in 0..<4_000 {
            let fd = Int.random(in: 3...9, using: &random)
            switch Int.random(in: 0..<9, using: &random) {
            case 0, 1: calls.append("open \(paths.randomElement(using: &random)!) \(flags.randomElement(using: &random)!)")
            case 2: calls.append("read \(fd) \([0, 1, 3, 100].randomElement(using: &random)!)")
            case 3: calls.append("pread \(fd) \([1, 4, 100].randomElement(using: &random)!) \([-1, 0, 2, 10].randomElement(using: &random)!)")
            case 4: calls.append("seek \(fd) \([-1, 0, 3, 100].randomElement(using: &random)!) \([0, 1, 2, 5].randomElement(using: &random)!)")
            case 5: calls.append("dup \(fd)")
            case 6: calls.append("dup2 \(fd) \(Int.random(in: 3...9, using: &random))")
            case 7: calls.append("close \(fd)")
            default: calls.append("stat \(fd)")
            }
        }
        // Linux runs them (paths under the unpacked tree; /dev/null is the host's own).
        let script = """
            import os, stat, sys
            root = sys.argv[1]
            os.closerange(3, 4096)   # descriptors inherited from the test runner
            def path(p): return "/dev/null" if p == "dev/null" else root + "/" + p
            for line in sys.stdin.read().split("\\n")[:-1]:
                w = line.split(" ")
                try:
                    if w[0] == "open": r = os.open(path(w[1]), int(w[2]))
                    elif w[0] == "read": r = os.read(int(w[1]), int(w[2])).hex() or "-"
                    elif w[0] == "pread": r = os.pread(int(w[1]), int(w[2]), int(w[3])).hex() or "-"
                    elif w[0] == "seek" and stat.S_ISDIR(os.fstat(int(w[1])).st_mode): r = "directory"
                    elif w[0] == "seek": r = os.lseek(int(w[1]), int(w[2]), int(w[3]))
                    elif w[0] == "dup": r = os.dup(int(w[1]))
                    elif w[0] == "dup2": r = os.dup2(int(w[1]), int(w[2]))
                    elif w[0] == "close": os.close(int(w[1])); r = 0
                    else:
                        st = os.fstat(int(w[1])); r = "%d/%d" % (st.st_size if stat.S_ISREG(st.st_mode) else 0, int(stat.S_ISDIR(st.st_mode)))
                    print("ok", r)
                except OSError as error:
                    print("errno", error.errno)
            """
        let answers = try HostProcess.python(script, [root.path], lines: calls)
        try #require(answers.count == calls.count)
        var table = Self.table()
        for (call, linux) in zip(calls, answers) {
            let w = call.split(separator: " ").map(String.init)
            let mine: String
            do {
                switch w[0] {
                case "open": mine = "ok \(try table.open("/" + w[1], flags: Int32(w[2])!))"
                case "read": mine = "ok \(Self.hex(try table.read(Int32(w[1])!, maximum: Int(w[2])!, random: { _ in [] })))"
                case "pread": mine = "ok \(Self.hex(try table.read(Int32(w[1])!, maximum: Int(w[2])!, at: Int64(w[3])!, random: { _ in [] })))"
                case "seek":
                    // Where a directory's offset goes is the file system's own business (ext4
                    // and tmpfs differ): not compared.
                    if try table.status(Int32(w[1])!).mode & 0o170000 == 0o040000 { mine = "ok directory"; break }
                    mine = "ok \(try table.seek(Int32(w[1])!, offset: Int64(w[2])!, whence: Int32(w[3])!))"
                case "dup": mine = "ok \(try table.duplicate(Int32(w[1])!))"
                case "dup2": mine = "ok \(try table.duplicate(Int32(w[1])!, as: Int32(w[2])!, allowingSame: true))"
                case "close": try table.close(Int32(w[1])!); mine = "ok 0"
                default:
                    let status = try table.status(Int32(w[1])!)
                    mine = "ok \(status.mode & 0o170000 == 0o100000 ? status.size : 0)/\(status.mode & 0o170000 == 0o040000 ? 1 : 0)"
                }
            } catch {
                mine = "errno \(error.rawValue)"
            }
            #expect(mine == linux, "\(call): here \(mine), Linux \(linux)")
            if mine != linux { break }
        }
    }

    /// `mount` with `arguments` (`-u`: `umount`).
    static func mount(_ arguments: [String]) throws {
        if arguments.first == "-u" { try HostProcess.run("/bin/umount", Array(arguments.dropFirst())) } else { try HostProcess.run("/bin/mount", arguments) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "-" : bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test func directoryEntriesAreLinuxDirent64Records() throws {
        var table = Self.table()
        let fd = try table.open("/data", flags: OpenFlags.directory)
        var names: [String] = []
        while true {
            let records = try table.directoryEntries(fd, capacity: 64)   // a small buffer: several calls
            if records.isEmpty { break }
            var offset = 0
            while offset < records.count {
                let length = Int(records[offset + 16]) | Int(records[offset + 17]) << 8
                #expect(length % 8 == 0 && length >= 24)
                let name = records[(offset + 19)...].prefix { $0 != 0 }
                names.append(String(decoding: name, as: UTF8.self))
                offset += length
            }
        }
        #expect(names.sorted() == [".", "..", "a.txt", "dangling", "sub"])
        #expect(throws: LinuxError.invalidArgument) { var again = Self.table(); let d = try again.open("/data", flags: 0); _ = try again.directoryEntries(d, capacity: 10) }
        #expect(throws: LinuxError.notDirectory) { var again = Self.table(); let d = try again.open("/etc/passwd", flags: 0); _ = try again.directoryEntries(d, capacity: 4096) }
    }
}

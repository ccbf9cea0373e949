import Foundation
import Testing
import CPIO
import HostProcess
import LinuxABI

/// The writable `/tmp` against Linux's tmpfs: the same random sequences of `mkdir`, `rmdir`,
/// `unlink`, `rename`, `symlink`, `open` (creating, truncating, appending), `write`, `read`,
/// `ftruncate`, `stat` and directory listings, run by Linux through Python's `os` module in a
/// fresh tmpfs and by the file system here; every descriptor, byte, size and errno must agree.
/// Then what Linux's answers cannot show: the space limits, the read-only tree around `/tmp`,
/// and pipes.
@Suite("The writable /tmp and pipes")
struct TemporaryFilesTests {
    static func table(capacity: UInt64 = 1 << 24, room: @escaping () -> UInt64 = { .max }) -> FileDescriptorTable {
        var archive = CPIOArchive()
        archive.append(.directory(path: "etc", mode: 0o755))
        archive.append(.file(path: "etc/hosts", mode: 0o644, contents: Array("127.0.0.1 localhost\n".utf8)))
        let tree = FileSystem(archive: try! CPIOReader(parsing: archive.bytes), extras: [.device(path: "/dev/null", .null)],
                              temporary: TemporaryStore(capacity: capacity, room: room))
        return FileDescriptorTable(fileSystem: tree, console: try! tree.lookup("/dev/null"))
    }

    @Test func randomChangesAgreeWithLinuxsTmpfs() throws {
        let root = try HostProcess.temporaryDirectory("tmpfs-tests")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileDescriptorTableTests.mount(["-t", "tmpfs", "-o", "size=16m", "tmpfs", root.path])
        defer { try? FileDescriptorTableTests.mount(["-u", root.path]) }
        let paths = ["a", "b", "d", "d/a", "d/e", "d/e/f", "a/x", "d/e/..", "l", "l/a", "missing/a", "d/"]
        let flags: [Int32] = [OpenFlags.create | OpenFlags.writeOnly, OpenFlags.create | OpenFlags.exclusive | OpenFlags.readWrite,
                              OpenFlags.readOnly, OpenFlags.truncate | OpenFlags.readWrite, OpenFlags.append | OpenFlags.writeOnly,
                              OpenFlags.directory, OpenFlags.create | OpenFlags.readWrite]
        var random = SystemRandomNumberGenerator()
        var calls: [String] = []
        for _ in 0..<3_000 {
            let path = paths.randomElement(using: &random)!, other = paths.randomElement(using: &random)!
            let fd = Int.random(in: 3...7, using: &random)
            switch Int.random(in: 0..<14, using: &random) {
            case 0, 1: calls.append("open \(path) \(flags.randomElement(using: &random)!)")
            case 2: calls.append("mkdir \(path)")
            case 3: calls.append("rmdir \(path)")
            case 4: calls.append("unlink \(path)")
            case 5: calls.append("rename \(path) \(other)")
            case 6: calls.append("symlink \(["d", "a", "d/e", "nowhere"].randomElement(using: &random)!) \(path)")
            case 7, 8: calls.append("write \(fd) \([0, 1, 5, 5000].randomElement(using: &random)!)")
            case 9: calls.append("read \(fd) \([1, 7, 100].randomElement(using: &random)!)")
            case 10: calls.append("truncate \(fd) \([0, 3, 9000, -1].randomElement(using: &random)!)")
            case 11: calls.append("close \(fd)")
            case 12: calls.append(Bool.random(using: &random) ? "stat \(path)" : "tree")
            default: calls.append("list \(path)")
            }
        }
        let script = """
            import os, stat, sys
            root = sys.argv[1]
            os.closerange(3, 4096)
            def path(p): return root + "/" + p
            for line in sys.stdin.read().split("\\n")[:-1]:
                w = line.split(" ")
                try:
                    if w[0] == "open": r = os.open(path(w[1]), int(w[2]), 0o644)
                    elif w[0] == "mkdir": os.mkdir(path(w[1]), 0o755); r = 0
                    elif w[0] == "rmdir": os.rmdir(path(w[1])); r = 0
                    elif w[0] == "unlink": os.unlink(path(w[1])); r = 0
                    elif w[0] == "rename": os.rename(path(w[1]), path(w[2])); r = 0
                    elif w[0] == "symlink": os.symlink(w[1], path(w[2])); r = 0
                    elif w[0] == "write": r = os.write(int(w[1]), bytes((i * 7 + 3) % 256 for i in range(int(w[2]))))
                    elif w[0] == "read": r = os.read(int(w[1]), int(w[2])).hex() or "-"
                    elif w[0] == "truncate": os.ftruncate(int(w[1]), int(w[2])); r = 0
                    elif w[0] == "close": os.close(int(w[1])); r = 0
                    elif w[0] == "tree":
                        found = []
                        for top, dirs, names in os.walk(root):
                            for name in dirs + names:
                                st = os.lstat(top + "/" + name)
                                found.append("%s:%o:%d" % ((top + "/" + name)[len(root) + 1:], stat.S_IFMT(st.st_mode), st.st_size if stat.S_ISREG(st.st_mode) else 0))
                        r = ",".join(sorted(found)) or "-"
                    elif w[0] == "stat":
                        st = os.lstat(path(w[1])); r = "%o/%d" % (stat.S_IFMT(st.st_mode), st.st_size if stat.S_ISREG(st.st_mode) else 0)
                    else: r = ",".join(sorted(os.listdir(path(w[1])))) or "-"
                    print("ok", r)
                except OSError as error:
                    print("errno", error.errno)
            """
        let answers = try HostProcess.python(script, [root.path], lines: calls)
        try #require(answers.count == calls.count)
        var table = Self.table()
        let tree = table.fileSystem
        for (index, (call, linux)) in zip(calls, answers).enumerated() {
            let w = call.split(separator: " ").map(String.init)
            let mine: String
            do {
                switch w[0] {
                case "open": mine = "ok \(try table.open("/tmp/" + w[1], flags: Int32(w[2])!, permissions: 0o644))"
                case "mkdir": try tree.makeDirectory("/tmp/" + w[1], permissions: 0o755); mine = "ok 0"
                case "rmdir": try tree.remove("/tmp/" + w[1], directory: true); mine = "ok 0"
                case "unlink": try tree.remove("/tmp/" + w[1], directory: false); mine = "ok 0"
                case "rename": try tree.rename("/tmp/" + w[1], to: "/tmp/" + w[2]); mine = "ok 0"
                case "symlink": try tree.makeSymbolicLink("/tmp/" + w[2], target: w[1]); mine = "ok 0"
                case "write":
                    let bytes = (0..<Int(w[2])!).map { UInt8(($0 * 7 + 3) % 256) }
                    let open = try table.file(Int32(w[1])!)
                    if case .pipe = open.node.content { throw LinuxError.badFileDescriptor }
                    if case .device = open.node.content { throw LinuxError.badFileDescriptor }
                    if open.node.isDirectory { throw LinuxError.badFileDescriptor }
                    mine = "ok \(try table.write(bytes[...], to: open))"
                case "read": mine = "ok \(FileDescriptorTableTests.hex(try table.read(Int32(w[1])!, maximum: Int(w[2])!, random: { _ in [] })))"
                case "truncate": try table.truncate(Int32(w[1])!, length: Int64(w[2])!); mine = "ok 0"
                case "close": try table.close(Int32(w[1])!); mine = "ok 0"
                case "tree": mine = "ok " + (Self.walk(try tree.lookup("/tmp"), "").sorted().joined(separator: ",").nonEmpty ?? "-")
                case "stat":
                    let node = try tree.lookup("/tmp/" + w[1], followingFinalLink: false)
                    mine = "ok \(String(node.mode & 0o170000, radix: 8))/\(node.mode & 0o170000 == 0o100000 ? node.size : 0)"
                default:
                    let directory = try table.open("/tmp/" + w[1], flags: OpenFlags.directory)
                    var names: [String] = []
                    while true {
                        let records = try table.directoryEntries(directory, capacity: 4096)
                        if records.isEmpty { break }
                        names += Self.names(records)
                    }
                    try table.close(directory)
                    mine = "ok " + (names.filter { $0 != "." && $0 != ".." }.sorted().joined(separator: ",").nonEmpty ?? "-")
                }
            } catch let error as LinuxError {
                mine = "errno \(error.rawValue)"
            }
            #expect(mine == linux, "\(call): here \(mine), Linux \(linux)\n\(calls.prefix(through: index).suffix(40).joined(separator: "\n"))")
            if mine != linux { break }
        }
    }

    /// Every node below `directory` as `path:type:size`, as the script prints them.
    static func walk(_ directory: FileNode, _ prefix: String) -> [String] {
        guard case .writableDirectory(let writable) = directory.content else { return [] }
        var found: [String] = []
        for (name, node) in writable.entries {
            let path = prefix.isEmpty ? name : prefix + "/" + name
            found.append("\(path):\(String(node.mode & 0o170000, radix: 8)):\(node.mode & 0o170000 == 0o100000 ? node.size : 0)")
            found += walk(node, path)
        }
        return found
    }

    /// The names in `linux_dirent64` records.
    static func names(_ records: [UInt8]) -> [String] {
        var names: [String] = []
        var offset = 0
        while offset + 19 < records.count {
            let length = Int(records[offset + 16]) | Int(records[offset + 17]) << 8
            let name = records[(offset + 19)..<(offset + length)].prefix { $0 != 0 }
            names.append(String(decoding: name, as: UTF8.self))
            offset += length
        }
        return names
    }

    @Test func theReadOnlyTreeAroundTmpRefusesChangesAsLinuxDoes() throws {
        let table = Self.table()
        let tree = table.fileSystem
        #expect(throws: LinuxError.readOnlyFileSystem) { try tree.makeDirectory("/etc/new", permissions: 0o755) }
        #expect(throws: LinuxError.exists) { try tree.makeDirectory("/etc", permissions: 0o755) }   // EEXIST before EROFS
        #expect(throws: LinuxError.readOnlyFileSystem) { try tree.remove("/etc/hosts", directory: false) }
        #expect(throws: LinuxError.busy) { try tree.remove("/tmp", directory: true) }
        #expect(throws: LinuxError.noEntry) { try tree.remove("/tmp/missing", directory: false) }
        var files = table
        #expect(throws: LinuxError.readOnlyFileSystem) { try files.open("/etc/new", flags: OpenFlags.create | OpenFlags.writeOnly) }
        #expect(throws: LinuxError.readOnlyFileSystem) { try files.open("/etc/hosts", flags: OpenFlags.writeOnly) }
        #expect(throws: LinuxError.noEntry) { try files.open("/nowhere/new", flags: OpenFlags.create | OpenFlags.writeOnly) }
        _ = try files.open("/tmp/x", flags: OpenFlags.create | OpenFlags.writeOnly)
        #expect(throws: LinuxError.crossDevice) { try tree.rename("/tmp/x", to: "/etc/x") }
        #expect(throws: LinuxError.crossDevice) { try tree.rename("/etc/hosts", to: "/tmp/hosts") }
        #expect(throws: LinuxError.readOnlyFileSystem) { try tree.rename("/etc/hosts", to: "/etc/hosts2") }
        #expect(throws: LinuxError.busy) { try tree.rename("/tmp", to: "/tmp/inside") }
    }

    @Test func filesTheInitrdShipsInTmpAreThereAndWritable() throws {
        var archive = CPIOArchive()
        archive.append(.directory(path: "tmp", mode: 0o1777))
        archive.append(.directory(path: "tmp/data", mode: 0o755))
        archive.append(.file(path: "tmp/data/input.txt", mode: 0o600, contents: Array("shipped\n".utf8)))
        let store = TemporaryStore(capacity: 1 << 20)
        let tree = FileSystem(archive: try CPIOReader(parsing: archive.bytes), extras: [.device(path: "/dev/null", .null)], temporary: store)
        var table = FileDescriptorTable(fileSystem: tree, console: try tree.lookup("/dev/null"))
        let descriptor = try table.open("/tmp/data/input.txt", flags: OpenFlags.readWrite | OpenFlags.append)
        #expect(try table.read(descriptor, maximum: 100, random: { _ in [] }) == Array("shipped\n".utf8))
        #expect(try table.write(Array("more\n".utf8)[...], to: table.file(descriptor)) == 5)
        #expect(try tree.lookup("/tmp/data/input.txt").size == 13 && store.used == 13)
        #expect(try tree.lookup("/tmp/data/input.txt").permissions == 0o600)
        try tree.makeDirectory("/tmp/data/new", permissions: 0o700)
    }

    @Test func tmpIsFullAtItsCapacityOrWhenTheHeapHasNoRoomAndGivesSpaceBack() throws {
        var small = Self.table(capacity: 10_000)
        let file = try small.open("/tmp/big", flags: OpenFlags.create | OpenFlags.readWrite)
        #expect(try small.write(Array(repeating: 1, count: 9_000)[...], to: try small.file(file)) == 9_000)
        #expect(throws: LinuxError.noSpace) { try small.write(Array(repeating: 2, count: 2_000)[...], to: try small.file(file)) }
        #expect(try small.fileSystem.temporary!.used == 9_000 && small.file(file).node.size == 9_000)   // nothing of the refused write
        #expect(throws: LinuxError.noSpace) { try small.truncate(file, length: 20_000) }
        try small.truncate(file, length: 1_000)
        #expect(small.fileSystem.temporary!.used == 1_000)
        try small.fileSystem.remove("/tmp/big", directory: false)
        #expect(small.fileSystem.temporary!.used == 1_000)   // still open
        try small.close(file)
        #expect(small.fileSystem.temporary!.used == 0)        // unlinked and closed: given back

        var room: UInt64 = TemporaryStore.reserve + 10_000
        var tight = Self.table(capacity: 1 << 30, room: { room })
        let descriptor = try tight.open("/tmp/f", flags: OpenFlags.create | OpenFlags.writeOnly)
        let second = try tight.file(descriptor)
        #expect(try tight.write(Array(repeating: 0, count: 4_000)[...], to: second) == 4_000)
        #expect(throws: LinuxError.noSpace) { try tight.write(Array(repeating: 0, count: 6_000)[...], to: second) }   // twice the growth must fit
        room = 0
        #expect(throws: LinuxError.noSpace) { try tight.write([1][...], to: second) }
        #expect(throws: LinuxError.fileTooLarge) { try tight.write([1][...], to: second, at: WritableFile.maximumSize) }
    }

    @Test func aPipeHoldsSixtyFourKiBAndEndsWhenItsLastWriterCloses() throws {
        var table = Self.table()
        let (read, write) = try table.openPipe(flags: OpenFlags.nonBlocking)
        #expect((read, write) == (3, 4))   // the lowest free numbers after the console's 0, 1 and 2
        guard case .pipe(let reading) = try table.file(read).event, case .pipe(let writing) = try table.file(write).event else {
            Issue.record("not a pipe"); return
        }
        let buffer = reading.buffer
        #expect(buffer === writing.buffer && reading.reading && !writing.reading)
        #expect(throws: LinuxError.tryAgain) { try buffer.take(maximum: 10) }
        #expect(try buffer.put(Array(repeating: 7, count: 62_000)[...]) == 62_000)
        #expect(throws: LinuxError.tryAgain) { try buffer.put(Array(repeating: 7, count: 4096)[...]) }   // PIPE_BUF writes are whole or not at all
        #expect(try buffer.put(Array(repeating: 7, count: 10_000)[...]) == 3_536)                      // larger ones take what fits
        #expect(buffer.readiness(reading: false) == 0 && buffer.readiness(reading: true) == EventPoll.input)
        #expect(try buffer.take(maximum: 70_000).count == 65_536)
        let copy = try table.duplicate(write)
        try table.close(write)
        #expect(buffer.writers == 1)                       // the dup still writes
        #expect(throws: LinuxError.tryAgain) { try buffer.take(maximum: 1) }
        _ = try table.duplicate(read, as: copy, allowingSame: false)   // dup2 over the last writer closes it
        #expect(buffer.writers == 0 && buffer.readers == 1)
        #expect(try buffer.take(maximum: 1) == [])          // end of file
        #expect(buffer.readiness(reading: true) == EventPoll.hangUp)
        try table.close(read)
        try table.close(copy)
        #expect(buffer.readers == 0)
        #expect(throws: LinuxError.brokenPipe) { try buffer.put([1][...]) }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

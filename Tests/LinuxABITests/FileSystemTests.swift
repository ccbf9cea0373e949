import Foundation
import Testing
import CPIO
import HostProcess
import LinuxABI

/// Path lookup against Linux's own: the same tree (an archive made by our writer, unpacked on
/// the host with the same files, directories and relative symbolic links), the same 3,000
/// random paths, the same outcome — the file found, or the same errno.
@Suite("The program's file system")
struct FileSystemTests {
    static let files: [String: [UInt8]] = [
        "etc/passwd": Array("root:x:0:0:root:/root:/bin/sh\n".utf8), "etc/hosts": Array("127.0.0.1 localhost\n".utf8),
        "bin/tool": [0x7F, 0x45, 0x4C, 0x46], "data/a.txt": Array("alpha\n".utf8), "data/sub/b.bin": [1, 2, 3, 4, 5], "empty": [],
    ]
    static let links: [String: String] = ["link-to-a": "data/a.txt", "loop1": "loop2", "loop2": "loop1", "dirlink": "data",
                                          "data/sub/up": "../a.txt", "data/dangling": "nowhere"]

    /// The same tree on the host's disk, for Linux to walk.
    static func unpack(at root: URL) throws {
        for directory in ["etc", "bin", "data", "data/sub", "emptydir"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        for (path, bytes) in files { try Data(bytes).write(to: root.appendingPathComponent(path)) }
        for (path, target) in links { try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(path).path, withDestinationPath: target) }
    }

    static func tree() -> FileSystem {
        var archive = CPIOArchive()
        for directory in ["etc", "bin", "data", "data/sub", "emptydir"] { archive.append(.directory(path: directory, mode: 0o755)) }
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) { archive.append(.file(path: path, mode: 0o644, contents: bytes)) }
        let reader = try! CPIOReader(parsing: archive.bytes)
        return FileSystem(archive: reader, extras: links.map { .symbolicLink(path: $0.key, target: $0.value) } + [.device(path: "/dev/null", .null)])
    }

    @Test func lookupsAgreeWithLinuxOnTheSameTree() throws {
        let root = try HostProcess.temporaryDirectory("fs-tests")
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.unpack(at: root)
        let tree = Self.tree()
        let vocabulary = ["etc", "passwd", "hosts", "data", "sub", "a.txt", "b.bin", "bin", "tool", "missing", ".", "..", "",
                          "dirlink", "link-to-a", "loop1", "up", "dangling", "empty", "emptydir", String(repeating: "n", count: 256)]
        var random = SystemRandomNumberGenerator()
        var paths: [String] = []
        while paths.count < 3_000 {
            var components: [String] = []
            var depth = 0
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let name = vocabulary.randomElement(using: &random)!
                if name == ".." { guard depth > 0 else { continue }; depth -= 1 } else if name != "." && name != "" { depth += 1 }
                components.append(name)
            }
            let path = components.joined(separator: "/") + (Bool.random(using: &random) ? "/" : "")
            if !path.isEmpty && !path.hasPrefix("/") { paths.append(path) }
        }
        // Linux itself answers: open(2) with O_RDONLY on each path, through Python's os.open
        // (no library in between that tidies paths), printing errno, or 0, the size and whether
        // it is a directory.
        let script = """
            import os, stat, sys
            root = sys.argv[1]
            for line in sys.stdin.read().split("\\n")[:-1]:
                try:
                    fd = os.open(root + "/" + line, os.O_RDONLY)
                    st = os.fstat(fd); os.close(fd)
                    print(0, st.st_size, int(stat.S_ISDIR(st.st_mode)))
                except OSError as error:
                    print(error.errno, -1, 0)
            """
        let answers = try HostProcess.python(script, [root.path], lines: paths)
        try #require(answers.count == paths.count, "python answered \(answers.count) of \(paths.count)")
        var compared = 0
        for (path, answer) in zip(paths, answers) {
            let fields = answer.split(separator: " ").compactMap { Int($0) }
            try #require(fields.count == 3)
            let (hostError, hostSize, hostIsDirectory) = (Int32(fields[0]), fields[1], fields[2] == 1)
            compared += 1
            do {
                let node = try tree.lookup("/" + path)
                #expect(hostError == 0, "\(path): found here, Linux says errno \(hostError)")
                #expect(node.isDirectory == hostIsDirectory && (node.isDirectory || node.size == hostSize), "\(path)")
            } catch {
                #expect(hostError == error.rawValue, "\(path): \(error) here, Linux says errno \(hostError)")
            }
        }
        #expect(compared > 2_000)
    }

    @Test func theArchiveCannotReachOutsideTheTreeAndExtrasReplaceMembers() throws {
        var archive = CPIOArchive()
        archive.append(.file(path: "../escape", mode: 0o644, contents: [1]))
        archive.append(.file(path: "etc/../../up", mode: 0o644, contents: [2]))
        archive.append(.file(path: "./etc/hosts", mode: 0o644, contents: [3]))
        let tree = FileSystem(archive: try CPIOReader(parsing: archive.bytes),
                              extras: [.file(path: "/etc/hosts", bytes: [4, 4]), .device(path: "/dev/null", .null),
                                       .symbolicLink(path: "/proc/self/exe", target: "/etc/hosts")])
        #expect(throws: LinuxError.noEntry) { try tree.lookup("/escape") }
        #expect(throws: LinuxError.noEntry) { try tree.lookup("/up") }
        #expect(try tree.lookup("/etc/hosts").size == 2, "the generated file replaces the member")
        #expect(try tree.lookup("/proc/self/exe").size == 2, "followed")
        #expect(try tree.lookup("/proc/self/exe", followingFinalLink: false).mode & 0o170000 == 0o120000, "readlink sees the link")
        #expect(try tree.lookup("/dev/null").mode & 0o170000 == 0o020000)
        #expect(try tree.lookup("/../../etc/./hosts").size == 2, ".. at the root stays there")
        #expect(throws: LinuxError.noEntry) { try tree.lookup("") }
        #expect(throws: LinuxError.nameTooLong) { try tree.lookup("/" + String(repeating: "a/", count: 2100)) }
    }
}

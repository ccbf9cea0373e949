import Foundation
import Testing
import CPIO
import HostProcess

/// The newc reader and writer against each other and against GNU cpio (an archive it made is
/// read; one we made it lists), and the reader against truncations and mutations: members or
/// a named error, never a trap.
@Suite("cpio newc archives")
struct CPIOTests {
    @Test func ourArchivesAreNewcWithPaddingAndATrailer() throws {
        var archive = CPIOArchive()
        archive.append(.directory(path: "dev", mode: 0o755))
        archive.append(.characterDevice(path: "dev/console", mode: 0o600, major: 5, minor: 1))
        archive.append(.file(path: "init", mode: 0o755, contents: [1, 2, 3]))
        let bytes = archive.bytes
        #expect(bytes.count % 4 == 0)
        let reader = try CPIOReader(parsing: bytes)
        #expect(reader.members.map(\.path) == ["dev", "dev/console", "init"])
        #expect(reader.members.map(\.mode) == [0o040755, 0o020600, 0o100755])
        #expect(reader.member("./init").map { Array(reader.contents(of: $0)) } == [1, 2, 3])
        #expect(reader.members[0].isDirectory && reader.members[2].isRegularFile)
    }

    /// GNU cpio reads what we write: its listing names every member.
    @Test func gnuCpioListsWhatWeWrite() throws {
        var archive = CPIOArchive()
        archive.append(.directory(path: "etc", mode: 0o755))
        archive.append(.file(path: "etc/hosts", mode: 0o644, contents: Array("127.0.0.1 localhost\n".utf8)))
        archive.append(.file(path: "hello", mode: 0o755, contents: Array(repeating: 7, count: 4097)))
        let directory = try HostProcess.temporaryDirectory("cpio-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let listing = try HostProcess.run("/usr/bin/cpio", ["-t", "--quiet"], in: directory, input: Data(archive.bytes))
        #expect(String(decoding: listing, as: UTF8.self) == "etc\netc/hosts\nhello\n")
    }

    /// We read what GNU cpio writes (`find . | cpio -o -H newc`): every file with its bytes.
    @Test func weReadWhatGNUCpioWrites() throws {
        let directory = try HostProcess.temporaryDirectory("cpio-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files: [String: [UInt8]] = ["a.txt": Array("alpha\n".utf8), "dir/b.bin": (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) },
                                        "dir/sub/empty": [], "odd name with spaces": [0xFF, 0, 0x41]]
        for (path, contents) in files {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents).write(to: url)
        }
        let names = files.keys.sorted().joined(separator: "\n") + "\ndir\ndir/sub\n"
        let bytes = [UInt8](try HostProcess.run("/usr/bin/cpio", ["-o", "-H", "newc", "--quiet"], in: directory, input: Data(names.utf8)))
        let reader = try CPIOReader(parsing: bytes)
        for (path, contents) in files {
            let member = try #require(reader.member(path), "\(path) in the archive")
            #expect(member.isRegularFile && Array(reader.contents(of: member)) == contents)
        }
        #expect(reader.member("dir/sub")?.isDirectory == true)
    }

    @Test(arguments: [
        ([UInt8](), CPIOError.noTrailer),
        (Array("070701".utf8), CPIOError.truncated(offset: 0)),
        (Array(repeating: 0x30, count: 110), CPIOError.badMagic(offset: 0)),
        (Array("070701".utf8) + Array(repeating: 0x47, count: 104), CPIOError.badHeader(offset: 0)),   // "G" is no digit
    ])
    func whatIsNotAnArchiveIsRefusedWithTheOffset(bytes: [UInt8], error: CPIOError) {
        #expect(throws: error) { try CPIOReader(parsing: bytes) }
    }

    /// Every truncation of a small archive and 5,000 mutations of its headers: members that
    /// keep the guarantees, or an error.
    @Test func truncatedAndMutatedArchivesNeverTrap() throws {
        var archive = CPIOArchive()
        archive.append(.directory(path: "etc", mode: 0o755))
        archive.append(.file(path: "etc/passwd", mode: 0o644, contents: Array("root:x:0:0:root:/root:/bin/sh\n".utf8)))
        archive.append(.file(path: "program", mode: 0o755, contents: Array(repeating: 1, count: 300)))
        let good = archive.bytes
        var inputs = (0..<good.count).map { Array(good.prefix($0)) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = [0x30, 0x46, 0x66, 0x00, 0x37, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)!
            }
            inputs.append(bytes)
        }
        var accepted = 0
        for bytes in inputs {
            guard let reader = try? CPIOReader(parsing: bytes) else { continue }
            accepted += 1
            for member in reader.members { #expect(member.data.upperBound <= bytes.count && member.data.lowerBound >= 0) }
        }
        #expect(accepted > 0)
        #expect(throws: CPIOError.noTrailer) { try CPIOReader(parsing: Array(good.prefix(good.count - 124))) }
    }
}

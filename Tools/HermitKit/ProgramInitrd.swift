import CPIO
import Foundation

/// The initial RAM disk of an image that runs a Linux executable: a newc cpio archive
/// holding the executable (as /<its file name>, mode 0755) and the config's files, plus the
/// kernel command line that names it and carries the environment and arguments.
///
/// Guarantees: every file of the config is in the archive under its guest path with its
/// parent directories; a missing file, a guest path outside `/`, or an executable that is not
/// a regular file is an error naming it; the command line is the config's own kernel words,
/// then `env=` and `exe=` words, then `--` and the program's arguments.
public struct ProgramInitrd: Sendable {
    public var bytes: [UInt8]
    public var commandLine: String
    /// The program's path inside the archive.
    public var executablePath: String

    public init(config: ImageConfig, root: URL) throws(HermitError) {
        guard let executable = config.executable else { throw HermitError("\(config.name): no executable") }
        let executableURL = ProgramInitrd.resolve(executable, root: root)
        guard ProgramInitrd.isDirectory(executableURL.path) == false,
              let program = FileManager.default.contents(atPath: executableURL.path) else {
            throw HermitError("\(config.name): no executable file at \(executableURL.path)")
        }
        let name = executableURL.lastPathComponent
        var archive = CPIOArchive()
        var directories: Set<String> = []
        func addParents(of path: String) {
            var parts = path.split(separator: "/").dropLast()
            var prefixes: [String] = []
            while !parts.isEmpty { prefixes.append(parts.joined(separator: "/")); parts = parts.dropLast() }
            for directory in prefixes.reversed() where directories.insert(directory).inserted {
                archive.append(.directory(path: directory, mode: 0o755))
            }
        }
        archive.append(.file(path: name, mode: 0o755, contents: [UInt8](program)))
        for entry in config.files {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            let source = ProgramInitrd.resolve(parts[0], root: root)
            let guest = parts.count == 2 ? parts[1] : "/" + source.lastPathComponent
            guard guest.hasPrefix("/"), !guest.split(separator: "/").contains(".."), guest.count > 1 else {
                throw HermitError("\(config.name): the guest path of '\(entry)' must be absolute, without '..'")
            }
            let target = String(guest.dropFirst())
            guard let sourceIsDirectory = ProgramInitrd.isDirectory(source.path) else {
                throw HermitError("\(config.name): no file or directory at \(source.path) (from 'files')")
            }
            addParents(of: target)
            if sourceIsDirectory {
                if directories.insert(target).inserted { archive.append(.directory(path: target, mode: 0o755)) }
                let enumerator = FileManager.default.enumerator(atPath: source.path)
                var members: [String] = []
                while let member = enumerator?.nextObject() as? String { members.append(member) }
                for member in members.sorted() {
                    let path = source.appendingPathComponent(member).path
                    if ProgramInitrd.isDirectory(path) == true {
                        if directories.insert(target + "/" + member).inserted { archive.append(.directory(path: target + "/" + member, mode: 0o755)) }
                    } else if let contents = FileManager.default.contents(atPath: path) {
                        archive.append(.file(path: target + "/" + member, mode: ProgramInitrd.permissions(of: path), contents: [UInt8](contents)))
                    }
                }
            } else {
                guard let contents = FileManager.default.contents(atPath: source.path) else {
                    throw HermitError("\(config.name): cannot read \(source.path)")
                }
                archive.append(.file(path: target, mode: ProgramInitrd.permissions(of: source.path), contents: [UInt8](contents)))
            }
        }
        bytes = archive.bytes
        executablePath = "/" + name
        let words = config.commandLine.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let split = words.firstIndex(of: "--")
        var line = Array(words[..<(split ?? words.endIndex)])
        if config.strace { line.append("strace") }
        if let address = config.address { line.append("ip=" + address) }
        if let gateway = config.gateway { line.append("gateway=" + gateway) }
        line += config.environment.map { "env=" + $0 }
        line.append("exe=" + name)
        line.append("--")
        line += split.map { Array(words[($0 + 1)...]) } ?? []
        line += config.programArguments
        commandLine = line.joined(separator: " ")
    }

    /// Whether `path` is a directory (following links); nil when nothing is there.
    /// The permission bits of the file at `path` (0o644 when they cannot be read).
    static func permissions(of path: String) -> UInt32 {
        let mode = ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? 0o644
        return UInt32(mode & 0o777)
    }

    static func isDirectory(_ path: String) -> Bool? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path) else { return nil }
        return (attributes[.type] as? FileAttributeType) == .typeDirectory
    }

    /// `path` as a URL: absolute as given, else relative to `root`.
    static func resolve(_ path: String, root: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }
}

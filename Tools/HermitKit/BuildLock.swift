import Foundation

/// An exclusive lock on a file, held while one kernel build runs.
final class BuildLock {
    private let handle: FileHandle

    init(path: String) throws(HermitError) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw HermitError("cannot open the build lock \(path)") }
        self.handle = handle
        guard flock(handle.fileDescriptor, LOCK_EX) == 0 else { throw HermitError("cannot lock \(path)") }
    }

    func release() {
        flock(handle.fileDescriptor, LOCK_UN)
        try? handle.close()
    }
}

import ELF
import Foundation

/// A finished image.
public struct BuiltImage: Sendable {
    public var config: ImageConfig
    /// The stripped, bootable ELF.
    public var path: URL
    /// The same image with symbols and debug information.
    public var debugPath: URL
    /// The stripped image's size in bytes.
    public var size: Int
    /// The initial RAM disk written beside it (an image that runs a Linux executable).
    public var initrd: URL? = nil
    /// For a Linux executable, the command line ``ProgramInitrd`` made.
    public var programCommandLine: String?
    /// The kernel command line the image boots with: the config's, or for a Linux
    /// executable the one ``ProgramInitrd`` made.
    public var commandLine: String { programCommandLine ?? config.commandLine }

    public init(config: ImageConfig, path: URL, debugPath: URL, size: Int, initrd: URL? = nil, commandLine: String? = nil) {
        self.config = config
        self.path = path
        self.debugPath = debugPath
        self.size = size
        self.initrd = initrd
        programCommandLine = commandLine
    }

    /// The end of the highest loadable segment (physical address), i.e. the RAM the image
    /// needs, or nil when the file cannot be read as ELF64.
    public var memoryEnd: UInt64? {
        guard let data = try? Data(contentsOf: path), let file = try? ELFFile(parsing: [UInt8](data)) else { return nil }
        var end: UInt64? = nil
        for segment in file.programHeaders where segment.type == ELFProgramHeader.load {
            let (segmentEnd, overflow) = segment.physicalAddress.addingReportingOverflow(segment.memorySize)
            guard !overflow else { return nil }
            end = max(end ?? 0, segmentEnd)
        }
        return end
    }
}

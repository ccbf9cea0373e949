/// A static Linux executable, checked for loading: ET_EXEC at fixed addresses (what
/// `swiftc -static-executable` and `gcc -static` produce) or a static PIE (ET_DYN without an
/// interpreter, which relocates itself once placed).
///
/// Guarantees: it names no interpreter; every loadable segment lies wholly inside the file,
/// holds no more file bytes than memory, ends without overflow below the canonical-address
/// hole, has a file offset congruent to its address modulo the page size (so its pages can be
/// mapped or copied page for page), and follows the one before it without overlap; the entry
/// point lies inside an executable segment, and a PT_PHDR's table inside a loaded one. So a loader that trusts these numbers writes only
/// within ``span``.
public struct StaticExecutable: Sendable {
    public enum Kind: Sendable, Equatable {
        /// ET_EXEC: loaded at the addresses it was linked for.
        case fixedAddress
        /// A static PIE (ET_DYN): loaded anywhere page-aligned (the load bias is added to every
        /// address).
        case positionIndependent
    }

    public static let pageSize: UInt64 = 4096
    /// The first address past the lower canonical half of the x86-64 address space.
    public static let addressLimit: UInt64 = 1 << 47

    public let file: ELFFile
    public let kind: Kind
    /// The entry point, as linked.
    public var entry: UInt64 { file.entry }
    /// The PT_LOAD segments in address order.
    public let segments: [ELFProgramHeader]
    /// The thread-local storage template (PT_TLS), if any.
    public let threadLocalStorage: ELFProgramHeader?
    /// Where the program header table is in memory, as linked (AT_PHDR), if it is loaded.
    public let programHeaderAddress: UInt64?
    /// The page-aligned range the segments occupy, as linked: [lower, upper).
    public let span: Range<UInt64>
    /// Whether PT_GNU_STACK asks for an executable stack (absent: as Linux, executable).
    public let executableStack: Bool

    public init(_ file: ELFFile) throws(ELFError) {
        var loads: [ELFProgramHeader] = []
        var tls: ELFProgramHeader? = nil
        var headerSegment: UInt64? = nil
        var executableStack = true
        for header in file.programHeaders {
            switch header.type {
            case ELFProgramHeader.interpreter: throw .dynamicallyLinked
            case ELFProgramHeader.load: loads.append(header)
            case ELFProgramHeader.threadLocalStorage: tls = header
            case ELFProgramHeader.programHeaderTable: headerSegment = header.address
            case ELFProgramHeader.gnuStack: executableStack = header.permissions.contains(.execute)
            default: break
            }
        }
        guard !loads.isEmpty else { throw .noEntryPoint }
        var previousEnd: UInt64 = 0
        for segment in loads {
            guard segment.fileSize <= segment.memorySize, let end = segment.end, end <= StaticExecutable.addressLimit else { throw .badSegment }
            let (fileEnd, overflow) = segment.fileOffset.addingReportingOverflow(segment.fileSize)
            guard !overflow, fileEnd <= UInt64(file.count) else { throw .truncated }
            guard segment.alignment == 0 || segment.alignment & (segment.alignment &- 1) == 0 else { throw .misalignedSegment }
            guard segment.fileOffset % StaticExecutable.pageSize == segment.address % StaticExecutable.pageSize else { throw .misalignedSegment }
            guard segment.address >= previousEnd else { throw .overlappingSegments }
            previousEnd = end
        }
        if let tls {
            guard tls.fileSize <= tls.memorySize, tls.end != nil else { throw .badSegment }
            let (fileEnd, overflow) = tls.fileOffset.addingReportingOverflow(tls.fileSize)
            guard !overflow, fileEnd <= UInt64(file.count) else { throw .truncated }
        }
        let entry = file.entry
        guard loads.contains(where: { $0.permissions.contains(.execute) && $0.address <= entry && entry < ($0.end ?? 0) }) else {
            throw .noEntryPoint
        }
        // AT_PHDR: PT_PHDR's address (which must lie, whole, inside a loaded segment: the C
        // library reads the table there), or where the loaded bytes that hold the table land.
        if let address = headerSegment {
            let tableSize = UInt64(file.programHeaders.count) * ELFFile.programHeaderSize
            guard loads.contains(where: { $0.address <= address && tableSize <= ($0.end ?? 0) &- address && address < ($0.end ?? 0) }) else {
                throw .badProgramHeaders
            }
        }
        let tableOffset = file.programHeaderOffset
        let holding = loads.first { $0.fileOffset <= tableOffset && tableOffset - $0.fileOffset < $0.fileSize }
        self.file = file
        kind = file.type == ELFFile.typeExecutable ? .fixedAddress : .positionIndependent
        segments = loads
        threadLocalStorage = tls
        programHeaderAddress = headerSegment ?? holding.map { $0.address + (tableOffset - $0.fileOffset) }
        let lower = loads[0].address & ~(StaticExecutable.pageSize - 1)
        let upper = (previousEnd + StaticExecutable.pageSize - 1) & ~(StaticExecutable.pageSize - 1)
        span = lower..<upper
        self.executableStack = executableStack
    }

    /// Parses and checks `bytes` in one step.
    public init(parsing bytes: [UInt8]) throws(ELFError) {
        try self.init(try ELFFile(parsing: bytes))
    }

    /// Parses and checks the file that is `range` of `storage`, in place.
    public init(parsing storage: [UInt8], range: Range<Int>) throws(ELFError) {
        try self.init(try ELFFile(parsing: storage, range: range))
    }
}

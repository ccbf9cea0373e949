import Synchronization
import Alloc
import Boot
import X86

/// Decides a program's page fault: the protection to back the page with, or nil for a
/// segmentation fault. Runs in the fault path (interrupts off): it must not block.
public protocol UserFaultResolver: AnyObject, Sendable {
    func protection(at address: UInt64, write: Bool, execute: Bool) -> UserAddressSpace.Protection?
}

/// Demand paging: lazily reserved regions are backed on first touch by the page-fault
/// handler, which maps a zeroed frame for the faulting page; every other page fault is a
/// panic whose report says what went wrong.
///
/// Guarantees: a reserved region's pages each receive their own fresh frame exactly once;
/// a fault outside any reserved region, a write to read-only memory, an instruction fetch
/// from no-execute memory and a kernel stack overflow into a guard page are reported as such;
/// the fault path allocates no heap memory.
public enum DemandPager {
    struct State: Sendable {
        var regions: [LazyRegion] = []
        /// Bytes of the lazy area handed out so far.
        var reservedBytes = 0
        var lazyArea: MemoryRegion? = nil
    }

    static let state = InterruptSafeLock(State())

    /// The most regions that can be reserved (the table never grows inside the fault path).
    public static let maximumRegions = 256

    static func start(lazyArea: MemoryRegion) {
        state.withLock { state in
            state.lazyArea = lazyArea
            state.regions.reserveCapacity(maximumRegions)
        }
        guard InterruptDispatch.register(vector: ExceptionVector.pageFault.rawValue, { frame in handleFault(frame) }) else {
            Panic.halt("Paging: the page-fault vector is taken")
        }
    }

    /// Reserves `bytes` (rounded up to 4 KiB) of memory that is backed on first touch, with a
    /// nothing-mapped guard page after it. Nil when the lazy area or the region table is full.
    public static func reserve(bytes: Int, writable: Bool = true) -> MemoryRegion? {
        reserve(bytes: bytes, writable: writable, guardStride: 0)
    }

    /// Backs the kernel's stack slots (Boot's ``ThreadStacks`` arena, outside the lazy area
    /// modules get) on first touch: each slot begins with a 4 KiB guard page that is never
    /// backed, and touching one is a panic reporting a stack overflow.
    static func backStacks(_ arena: (base: UInt64, size: Int, slotBytes: Int)) {
        state.withLock { state in
            state.regions.append(LazyRegion(base: arena.base, size: arena.size, writable: true, guardStride: arena.slotBytes))
        }
    }

    static func reserve(bytes: Int, writable: Bool, guardStride: Int) -> MemoryRegion? {
        guard bytes > 0 else { return nil }
        let size = (bytes + 4095) / 4096 * 4096
        return state.withLock { state -> MemoryRegion? in
            guard let area = state.lazyArea, state.regions.count < maximumRegions,
                  state.reservedBytes + size + 4096 <= area.size else { return nil }
            let region = area.subregion(offset: state.reservedBytes, size: size)
            state.reservedBytes += size + 4096
            state.regions.append(LazyRegion(base: region.base, size: region.size, writable: writable, guardStride: guardStride))
            return region
        }
    }

    /// Page faults served by mapping a fresh frame so far.
    public static var faultsServed: Int { served.load(ordering: .relaxed) }
    static let served = Atomic<Int>(0)

    static let userResolverSet = Atomic<Bool>(false)
    /// A class reference, not a closure: a closure kept in a generic lock was re-wrapped in a
    /// reabstraction thunk on every access (Embedded Swift 6.3.1), until a fault's call chain
    /// overflowed the page-fault stack.
    static let userResolver = InterruptSafeLock<(any UserFaultResolver)?>(nil)

    /// Installs the resolver for the program's page faults (the Linux layer's mappings), once:
    /// false afterwards.
    @discardableResult
    public static func setUserFaultResolver(_ resolver: any UserFaultResolver) -> Bool {
        guard !userResolverSet.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        userResolver.withLock { $0 = resolver }
        return true
    }

    /// Whether `address` lies where the program's pages go.
    static func isUserAddress(_ address: UInt64) -> Bool {
        (address >= UserAddressSpace.areaStart && address < UserAddressSpace.areaEnd) || UserAddressSpace.programArea.contains(address)
    }

    /// A fault in ring 3, or on a program page: backed when the resolver allows it, otherwise
    /// the program ends with a segmentation fault. The kernel touches program pages only
    /// through ``UserAddressSpace``'s checked copies, so a kernel fault here is a bug: a panic.
    static func handleUserFault(_ frame: InterruptFrame, address: UInt64, code: PageFaultErrorCode) {
        let fromProgram = frame.cs & 3 == 3
        guard fromProgram else { Panic.exception(frame, reason: "the kernel touched a program page directly") }
        if !code.contains(.present) && !code.contains(.reservedBit), isUserAddress(address),
           let resolver = userResolver.withLock({ $0 }),
           let protection = resolver.protection(at: address, write: code.contains(.write), execute: code.contains(.instructionFetch)) {
            let page = VirtAddr(address & ~0xFFF)
            if Frames.backUserPage(page, protection: protection) || KernelPages.translate(page) != nil {
                served.add(1, ordering: .relaxed)
                return
            }
            UserMode.fault(frame, reason: "out of memory: no free frame for the program's page")
        }
        UserMode.fault(frame, reason: "segmentation fault")
    }

    static func handleFault(_ frame: InterruptFrame) {
        let address = ControlRegisters.cr2
        let code = PageFaultErrorCode(rawValue: frame.errorCode)
        if frame.cs & 3 == 3 || (address < UserRegisters.lowerHalfEnd && isUserAddress(address)) {
            handleUserFault(frame, address: address, code: code)
            return
        }
        if !code.contains(.present) && !code.contains(.reservedBit) {
            let region = state.withLock { state -> LazyRegion? in
                for region in state.regions where region.contains(address) { return region }
                return nil
            }
            if let region {
                if region.isGuard(address) {
                    Panic.exception(frame, reason: "thread stack overflow: the access hit a stack's guard page")
                }
                if !region.writable && code.contains(.write) {
                    Panic.exception(frame, reason: "write to a read-only reserved region")
                }
                back(page: address & ~0xFFF, writable: region.writable, frame: frame)
                return
            }
            if KernelMemory.isGuardPage(address) {
                Panic.exception(frame, reason: "kernel stack overflow: the access hit a stack's guard page")
            }
            Panic.exception(frame, reason: "access to unmapped memory outside any reserved region")
        }
        if code.contains(.instructionFetch) { Panic.exception(frame, reason: "instruction fetch from no-execute memory") }
        if code.contains(.write) { Panic.exception(frame, reason: "write to read-only memory") }
        Panic.exception(frame, reason: "page protection violation")
    }

    /// Maps a zeroed frame at `page`.
    static func back(page: UInt64, writable: Bool, frame: InterruptFrame) {
        guard Frames.backZeroed(VirtAddr(page), writable: writable) else {
            Panic.exception(frame, reason: Frames.counts.free == 0 ? "out of memory: no free frame to back a demand-paged region"
                                                                    : "demand paging could not map the page")
        }
        served.add(1, ordering: .relaxed)
    }
}

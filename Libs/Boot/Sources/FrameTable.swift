import Synchronization
import X86

/// The state of every physical frame the kernel manages, kept by the fence, and the only
/// maker of ``Frame`` tokens (Asterinas's frame metadata in the same role).
///
/// Guarantees: each frame is in exactly one state — free, owned by a token, owned for good
/// by a module (permanent), a page table, mapped into the kernel's lazy address space, the
/// runtime heap's, DMA memory, or holding a boot module until its reader releases it — and every change is one checked
/// transition under a lock. A frame is handed out only from the free state, so the frame
/// allocator in Alloc is policy: a bug there (a wrong or repeated address) makes ``claim(_:)``
/// return nil, never two owners of one frame. Frames outside usable RAM, in the kernel image
/// or in boot structures are never free.
public enum FrameTable {
    /// Bytes in a frame.
    public static let frameSize = 4096

    enum State: UInt8 {
        case unmanaged = 0, free, owned, permanent, pageTable, mapped, heap, dma, bootModule
    }

    struct Table {
        var states: MemoryRegion? = nil
        var frameCount = 0
        var freeCount = 0
    }

    static let table = InterruptSafeLock(Table())
    static let installed = Atomic<Bool>(false)
    /// Where the identity window puts physical memory: its region's base, its physical base
    /// and its size (plain numbers, so a frame's bytes are found without copying the window).
    struct WindowPlacement {
        var regionBase: UInt64 = 0
        var physicalBase: UInt64 = 0
        var size: UInt64 = 0
    }
    // SAFETY: written once by `install` (guarded by `installed`) before any frame is handed
    // out or any other processor runs; read-only afterwards.
    nonisolated(unsafe) static var window = WindowPlacement()

    /// Starts keeping the frames below `states.size` × 4 KiB inside `window`: the frames of
    /// `free` ranges are free, the whole frames of `bootModules` that nothing else marked hold
    /// a boot module, all others unmanaged. `states` holds a byte per frame and must be memory
    /// nobody else uses; `bootModules` must be usable RAM that nothing but the boot modules
    /// occupies (``KernelResources`` passes the modules minus every other reserved range).
    static func install(window: PhysicalMemoryWindow, states: MemoryRegion, free: [PhysicalRange], bootModules: [PhysicalRange] = []) {
        guard !installed.exchange(true, ordering: .acquiringAndReleasing) else { Panic.halt("the frame table is installed once") }
        unsafe FrameTable.window = WindowPlacement(regionBase: window.regionBase, physicalBase: window.physicalBase.value,
                                                   size: UInt64(window.size))
        let count = min(states.size, Int((window.physicalBase.value + UInt64(window.size)) / UInt64(frameSize)))
        states.fill(State.unmanaged.rawValue, count: states.size)
        var freeCount = 0
        func mark(_ range: PhysicalRange, _ state: State) -> Int {
            let first = range.start.alignedUp(to: UInt64(frameSize)).value / UInt64(frameSize)
            let end = min(range.end.alignedDown(to: UInt64(frameSize)).value / UInt64(frameSize), UInt64(count))
            guard first < end else { return 0 }
            states.fill(state.rawValue, offset: Int(first), count: Int(end - first))
            return Int(end - first)
        }
        for range in free { freeCount += mark(range, .free) }
        for range in bootModules {
            let first = range.start.alignedUp(to: UInt64(frameSize)).value / UInt64(frameSize)
            let end = min(range.end.alignedDown(to: UInt64(frameSize)).value / UInt64(frameSize), UInt64(count))
            guard first < end else { continue }
            for index in Int(first)..<Int(end) where states.load(as: UInt8.self, at: index) == State.unmanaged.rawValue {
                states.store(State.bootModule.rawValue, at: index)
            }
        }
        table.withLock { table in
            table.states = states
            table.frameCount = count
            table.freeCount = max(freeCount, 0)
        }
    }

    /// The memory at `address` through the identity window, for the fence's own use.
    @inline(__always)
    static func memory(at address: PhysAddr, size: Int) -> MemoryRegion {
        let placement = unsafe window
        let offset = address.value &- placement.physicalBase
        precondition(address.value >= placement.physicalBase && size >= 0 && offset <= placement.size
                     && UInt64(size) <= placement.size - offset, "a frame outside the physical window")
        // SAFETY: the range lies inside the identity window the fence installed; callers reach
        // it only for frames whose state makes the memory theirs.
        return unsafe MemoryRegion(unsafeBase: placement.regionBase + offset, size: size)
    }

    /// Moves `count` frames from `address` from state `from` to `to`, all or none.
    static func transition(_ address: PhysAddr, count: Int = 1, from: State, to: State) -> Bool {
        guard count > 0, address.isAligned(to: UInt64(frameSize)) else { return false }
        let first = Int(address.value / UInt64(frameSize))
        return table.withLock { table in
            guard let states = table.states, first < table.frameCount, count <= table.frameCount - first else { return false }
            if count == 1 {
                guard states.load(as: UInt8.self, at: first) == from.rawValue else { return false }
                states.store(to.rawValue, at: first)
            } else {
                for index in first..<(first + count) where states.load(as: UInt8.self, at: index) != from.rawValue { return false }
                states.fill(to.rawValue, offset: first, count: count)
            }
            if from == .free { table.freeCount -= count }
            if to == .free { table.freeCount += count }
            return true
        }
    }

    /// The free frame at `address` as an owned token, or nil when it is not free (or not RAM).
    public static func claim(_ address: PhysAddr) -> Frame? {
        transition(address, from: .free, to: .owned) ? Frame(address: address) : nil
    }

    /// `count` free contiguous frames from `address` as one owned run, or nil unless all are free.
    public static func claimRun(_ address: PhysAddr, count: Int) -> FrameRun? {
        transition(address, count: count, from: .free, to: .owned) ? FrameRun(address: address, count: count) : nil
    }

    /// `count` free contiguous frames from `address`, zeroed, as memory its caller owns for
    /// good (a frame allocator's bitmaps, say): they never return to the free state, so the
    /// region can never alias anything else. Nil unless all are free.
    public static func claimPermanent(_ address: PhysAddr, count: Int) -> MemoryRegion? {
        guard transition(address, count: count, from: .free, to: .permanent) else { return nil }
        let region = memory(at: address, size: count * frameSize)
        region.fill(0, count: region.size)
        return region
    }

    /// The `count` frames from `address` that hold a boot module, as an owned run (their
    /// bytes are the module's until the owner writes them), or nil unless all do. Only
    /// ``KernelResources/releaseModule(_:)`` asks, once it reads no module any more.
    static func takeBootModule(_ address: PhysAddr, count: Int) -> FrameRun? {
        transition(address, count: count, from: .bootModule, to: .owned) ? FrameRun(address: address, count: count) : nil
    }

    /// Gives an owned frame back; returns its address for the allocator's bookkeeping.
    public static func release(_ frame: consuming Frame) -> PhysAddr {
        let address = frame.address
        guard transition(address, from: .owned, to: .free) else { Panic.halt("frame table: a token's frame was not owned") }
        return address
    }

    /// Gives an owned run back; returns where it started.
    public static func release(_ run: consuming FrameRun) -> PhysAddr {
        let address = run.address
        guard transition(address, count: run.count, from: .owned, to: .free) else { Panic.halt("frame table: a run's frames were not owned") }
        return address
    }

    /// Records that an owned frame now serves `state` (a page table, a mapping, DMA, ...).
    static func retype(_ frame: consuming Frame, to state: State) {
        guard transition(frame.address, from: .owned, to: state) else { Panic.halt("frame table: a token's frame was not owned") }
    }

    /// Records that an owned run now serves `state`.
    static func retype(_ run: consuming FrameRun, to state: State) {
        guard transition(run.address, count: run.count, from: .owned, to: state) else { Panic.halt("frame table: a run's frames were not owned") }
    }

    /// A frame in `state` becomes owned again (a page table emptied, a page unmapped and
    /// flushed everywhere).
    static func reclaim(_ address: PhysAddr, from state: State) -> Frame? {
        transition(address, from: state, to: .owned) ? Frame(address: address) : nil
    }

    /// Whether the frame at `address` is free.
    public static func isFree(_ address: PhysAddr) -> Bool {
        guard address.isAligned(to: UInt64(frameSize)) else { return false }
        let index = Int(address.value / UInt64(frameSize))
        return table.withLock { table in
            guard let states = table.states, index < table.frameCount else { return false }
            return states.load(as: UInt8.self, at: index) == State.free.rawValue
        }
    }

    /// Frames free right now.
    public static var freeCount: Int { table.withLock { $0.freeCount } }

    /// One past the highest physical address the table covers.
    public static var limit: PhysAddr { PhysAddr(UInt64(table.withLock { $0.frameCount }) * UInt64(frameSize)) }
}

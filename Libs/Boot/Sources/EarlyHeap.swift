import X86
#if hasFeature(Embedded)
import BootEntry
#endif

/// The heap behind the Swift runtime until Alloc replaces it: a ``BumpHeap`` that starts in
/// a small arena inside the kernel image and moves to the largest free RAM range once the
/// memory map is known.
///
/// Guarantees: the heap's own bookkeeping lives in static storage (`boot_heap_state`), not
/// on the heap, so the first allocation of the kernel can be served; updates run with
/// interrupts disabled. Exhaustion is a panic naming the request.
public enum EarlyHeap {
    #if hasFeature(Embedded)
    /// The bookkeeping, as a region over the static `boot_heap_state`.
    static var state: MemoryRegion {
        // SAFETY: boot_heap_state is 64 bytes of .bss reserved for this heap's state alone.
        unsafe MemoryRegion(unsafeBase: boot_heap_state_address(), size: Int(BOOT_HEAP_STATE_SIZE))
    }
    #else
    static let hostState = SimulatedMemory(size: 64)
    static var state: MemoryRegion { hostState.region }
    #endif

    /// Serialises every change: interrupts off alone would not stop another processor.
    static let lock = TicketLock()

    static func update<R>(_ body: (inout BumpHeap) -> R) -> R {
        lock.withLock {
            var heap = state.load(as: BumpHeap.self, at: 0)
            defer { state.store(heap, at: 0) }
            return body(&heap)
        }
    }

    /// Bytes handed out so far.
    public static var bytesAllocated: UInt64 { update { $0.bytesAllocated } }
    /// Bytes left in the current arena.
    public static var bytesRemaining: UInt64 { update { $0.bytesRemaining } }

    /// The runtime's allocation: a block or a panic naming the request.
    static func allocate(size: Int, alignment: Int) -> UInt64 {
        guard let block = update({ $0.allocate(size: size, alignment: alignment) }) else {
            Panic.halt("out of memory: the kernel heap cannot satisfy a request of ", decimal: UInt64(size))
        }
        return block
    }

    static func free() { update { $0.free() } }

    static func start(arena: PhysicalRange) {
        update { $0.moveArena(start: arena.start.value, size: arena.size) }
    }

    /// Shrinks the early heap's arena to what it has handed out plus `margin` bytes (which
    /// still serve allocations until another heap is installed) and returns that range; the
    /// rest of the arena is then free for a frame allocator. Called when Alloc takes over.
    static func seal(margin: UInt64 = 64 * 1024) -> PhysicalRange {
        update { heap in
            let end = PhysAddr(min(heap.next + margin, heap.end)).alignedUp(to: 4096).value
            let kept = PhysicalRange(start: PhysAddr(heap.arenaStart), size: end - heap.arenaStart)
            unsafe sealedRange = (kept.start.value, kept.end.value)
            heap.shrink(to: end)
            return kept
        }
    }

    // SAFETY: written once by `seal` on the boot processor with interrupts off, before any
    // other thread runs; read-only afterwards.
    nonisolated(unsafe) static var sealedRange: (UInt64, UInt64) = (0, 0)

    /// Whether `address` lies in memory the early heap handed out (including the arena in
    /// .bss it began with), so a later heap can recognise and ignore frees of such blocks.
    public static func handedOut(_ address: UInt64) -> Bool {
        #if hasFeature(Embedded)
        let early = boot_early_heap_address()
        if address >= early && address < early + UInt64(BOOT_EARLY_HEAP_SIZE) { return true }
        #endif
        let range = unsafe sealedRange
        return address >= range.0 && address < range.1
    }
}

import Boot
import X86

/// The kernel's physical frames: the frame allocator ``AllocModule`` built at start-up (the
/// policy: which frame), behind an interrupt-safe lock, handing out the fence's owned
/// ``Frame`` tokens.
///
/// Guarantees: a frame the allocator picks is handed out only if Boot's ``FrameTable`` agrees
/// it is free, and then as a token no one else holds; a disagreement (an allocator bug) is
/// counted and yields nil, never two owners. Freeing takes the token.
public enum Frames {
    static let allocator = InterruptSafeLock<BitmapFrameAllocator?>(nil)
    static let refusals = InterruptSafeLock(0)

    /// A free frame, or nil when memory is exhausted.
    public static func allocate() -> Frame? {
        guard let address = allocator.withLock({ $0?.allocate() }) else { return nil }
        guard let frame = FrameTable.claim(address) else {
            refusals.withLock { $0 += 1 }
            return nil
        }
        return frame
    }

    /// Backs `page` with a zeroed frame the allocator picks, through Boot's one-step
    /// ``KernelPages/backZeroed(_:withFreeFrameAt:writable:)``; false when memory is exhausted or
    /// Boot refuses (the pick goes back to the allocator).
    public static func backZeroed(_ page: VirtAddr, writable: Bool) -> Bool {
        guard let address = allocator.withLock({ $0?.allocate() }) else { return false }
        if KernelPages.backZeroed(page, withFreeFrameAt: address, writable: writable) { return true }
        allocator.withLock { allocator in try? allocator?.free(address) }
        refusals.withLock { $0 += 1 }
        return false
    }

    /// Backs the program's page `page` with zeroed memory with `protection` (Boot's
    /// ``UserAddressSpace/back(_:protection:freeFrame:)``, with a frame from this allocator
    /// outside the program area); false when memory is exhausted or the page may not be backed.
    public static func backUserPage(_ page: VirtAddr, protection: UserAddressSpace.Protection) -> Bool {
        if UserAddressSpace.programArea.contains(page.value) {
            return UserAddressSpace.back(page, protection: protection, freeFrame: nil)
        }
        guard let address = allocator.withLock({ $0?.allocate() }) else { return false }
        if UserAddressSpace.back(page, protection: protection, freeFrame: address) { return true }
        allocator.withLock { allocator in try? allocator?.free(address) }
        refusals.withLock { $0 += 1 }
        return false
    }

    /// `count` contiguous frames aligned to `alignment`, or nil.
    public static func allocateContiguous(count: Int, alignment: UInt64 = UInt64(Alloc.pageSize)) -> FrameRun? {
        guard let address = allocator.withLock({ $0?.allocateContiguous(count: count, alignment: alignment) }) else { return nil }
        guard let run = FrameTable.claimRun(address, count: count) else {
            refusals.withLock { $0 += 1 }
            return nil
        }
        return run
    }

    /// Gives a frame back.
    public static func free(_ frame: consuming Frame) {
        let address = FrameTable.release(frame)
        allocator.withLock { allocator in
            do throws(FrameError) { try allocator?.free(address) } catch { Panic.halt("Alloc: the frame allocator lost track of a frame at ", decimal: address.value) }
        }
    }

    /// Gives a run of frames back.
    public static func free(_ run: consuming FrameRun) {
        let count = run.count
        let start = FrameTable.release(run)
        allocator.withLock { allocator in
            for index in 0..<count {
                let address = start + UInt64(index * Alloc.pageSize)
                do throws(FrameError) { try allocator?.free(address) } catch { Panic.halt("Alloc: the frame allocator lost track of a frame at ", decimal: address.value) }
            }
        }
    }

    /// Takes frames the allocator never managed into its free frames: a boot module's, once
    /// its contents were copied (``KernelResources/releaseModule(_:)``).
    public static func adopt(_ run: consuming FrameRun) {
        let count = run.count
        let start = FrameTable.release(run)
        allocator.withLock { allocator in
            do throws(FrameError) { try allocator?.adopt(start, count: count) } catch { Panic.halt("Alloc: frames to adopt were managed already, at ", decimal: start.value) }
        }
    }

    /// Frames free and managed.
    public static var counts: (free: Int, total: Int) {
        allocator.withLock { ($0?.freeFrames ?? 0, $0?.totalFrames ?? 0) }
    }

    /// Frames the allocator picked that the frame table refused (0 unless the allocator has a bug).
    public static var refusedClaims: Int { refusals.withLock { $0 } }
}

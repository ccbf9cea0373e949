import Alloc
import Boot
import X86

/// The kernel's active address space, shared by the page-fault handler, heap growth and
/// anyone mapping memory, behind an interrupt-safe lock.
public enum KernelMemory {
    struct State: Sendable {
        var table: PageTable<KernelFrames>? = nil
        var memory: PhysicalMemoryWindow? = nil
        var guardPages: [PhysicalRange] = []
    }

    static let state = InterruptSafeLock(State())

    /// Maps `page` to `frame` (4 KiB) in the kernel's address space.
    public static func map(_ page: VirtAddr, to frame: PhysAddr, flags: PageTableFlags) -> Result<TLBFlush, MappingError> {
        state.withLock { state in
            guard state.table != nil else { return .failure(.notMapped(page)) }
            do throws(MappingError) {
                return .success(try state.table!.map(page, to: frame, size: .size4KiB, flags: flags))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Removes the mapping of `page`; returns the frame it mapped.
    public static func unmap(_ page: VirtAddr) -> Result<PhysAddr, MappingError> {
        state.withLock { state in
            guard state.table != nil else { return .failure(.notMapped(page)) }
            do throws(MappingError) {
                let result = try state.table!.unmap(page)
                result.flush.flush()
                return .success(result.frame)
            } catch {
                return .failure(error)
            }
        }
    }

    /// Where `address` leads in the kernel's address space.
    public static func translate(_ address: VirtAddr) -> Translation? {
        state.withLock { $0.table?.translate(address) }
    }

    /// Fills the frame at `frame` with zeroes through the physical window.
    static func zero(frame: PhysAddr) {
        let memory = state.withLock { $0.memory }
        memory?.region(at: frame, size: 4096)?.fill(0, count: 4096)
    }

    /// Whether `address` lies in one of the boot stacks' guard pages.
    static func isGuardPage(_ address: UInt64) -> Bool {
        state.withLock { state in
            for page in state.guardPages where address >= page.start.value && address < page.end.value { return true }
            return false
        }
    }
}

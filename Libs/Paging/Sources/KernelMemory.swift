import Alloc
import Boot
import X86

/// The kernel's address space as Paging uses it: Boot's fenced page table (``KernelPages``)
/// plus the policy Paging keeps — the boot stacks' guard pages, for fault reports.
public enum KernelMemory {
    static let guardPages = InterruptSafeLock<[PhysicalRange]>([])

    /// Removes the mapping of the lazy-area `page`; the frame comes back once flushed everywhere.
    public static func unmap(_ page: VirtAddr) -> PendingFrame? { KernelPages.unmap(page) }

    /// Where `address` leads in the kernel's address space.
    public static func translate(_ address: VirtAddr) -> Translation? { KernelPages.translate(address) }

    /// Whether `address` lies in one of the boot stacks' guard pages.
    static func isGuardPage(_ address: UInt64) -> Bool {
        guardPages.withLock { pages in
            for page in pages where address >= page.start.value && address < page.end.value { return true }
            return false
        }
    }
}

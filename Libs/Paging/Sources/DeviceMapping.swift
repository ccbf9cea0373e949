import Boot
import X86

extension KernelMemory {
    /// Maps every page of a device register window uncached at its own address in the
    /// kernel's address space (pages already mapped are left as they are). Returns whether
    /// the whole window is mapped. Without Paging, Boot's identity map already covers it.
    public static func mapUncached(_ window: MMIOWindow) -> Bool {
        mapUncached(PhysicalRange(start: PhysAddr(window.base), size: UInt64(window.size)))
    }

    /// Maps every page of the device registers in `range` uncached at its own address; false
    /// when Boot refuses (RAM, the kernel image) or the table cannot grow.
    public static func mapUncached(_ range: PhysicalRange) -> Bool {
        KernelPages.isActive ? KernelPages.mapDevice(range) : true
    }
}

extension DeviceWindows {
    /// The device registers at `address` (`size` bytes, no RAM among them) as a window mapped
    /// uncached in the kernel's address space; nil when Boot refuses the range or it cannot
    /// be mapped.
    public func mapped(at address: PhysAddr, size: Int) -> MMIOWindow? {
        guard let window = window(at: address, size: size), KernelMemory.mapUncached(window) else { return nil }
        return window
    }
}

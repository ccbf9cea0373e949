import X86

/// A set of page mappings that Boot can check and switch to (its own page table only).
protocol KernelMappings {
    /// The physical address of the PML4.
    var rootTable: PhysAddr { get }
    /// Where `address` leads, with the leaf's permissions, or nil when it is not mapped.
    func translate(_ address: UInt64) -> (physical: PhysAddr, writable: Bool, executable: Bool)?
}

extension Kernel {
    /// Checks `mappings` and makes them the active address space (loads CR3).
    ///
    /// Guarantees: the switch happens only if every page of the kernel's code is mapped to
    /// itself and executable, every page of its read-only data to itself, and every page of
    /// its data, .bss and stacks to itself and writable, and the physical window's memory used
    /// so far (the page holding the PML4) likewise; otherwise it panics naming the first page
    /// that failed. These are the memory the running Swift code relies on, so the switch
    /// cannot pull memory out from under it.
    static func activate<M: KernelMappings>(_ mappings: M, layout: KernelLayout) {
        func check(_ range: PhysicalRange, writable: Bool, executable: Bool) {
            var page = range.start.alignedDown(to: 4096).value
            while page < range.end.value {
                guard let target = mappings.translate(page), target.physical.value == page,
                      !writable || target.writable, !executable || target.executable else {
                    Panic.halt("refusing to switch address spaces: a kernel page is not mapped as it must be, at ", decimal: page)
                }
                page += 4096
            }
        }
        check(layout.text, writable: false, executable: true)
        check(layout.readOnlyData, writable: false, executable: false)
        check(PhysicalRange(start: layout.writableData.start, size: layout.stack.start.value - 4096 - layout.writableData.start.value),
              writable: true, executable: false)
        check(layout.stack, writable: true, executable: false)
        check(layout.interruptStack, writable: true, executable: false)
        check(PhysicalRange(start: mappings.rootTable, size: 4096), writable: true, executable: false)
        #if hasFeature(Embedded)
        // SAFETY: the checks above proved the new tables map the kernel's code, data, stacks
        // and its own PML4 exactly as the current identity map does.
        unsafe ControlRegisters.writeCR3(mappings.rootTable.value)
        #endif
    }
}

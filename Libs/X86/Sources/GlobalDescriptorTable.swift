import X86Shim

/// The kernel's global descriptor table: null, 64-bit kernel code and data, a TSS, then ring 3
/// data and 64-bit code for programs (SDM Vol. 3A §3.5), in the order SYSCALL/SYSRET assume
/// (``UserMode``: STAR's kernel base 0x08, user base 0x20).
///
/// Guarantees: the selectors in ``SegmentSelector`` name the entries this table encodes,
/// which are the same as the early table Boot loads on entry, so loading it never
/// invalidates the running code segment.
public enum GlobalDescriptorTable {
    /// Bytes needed: five 8-byte descriptors and one 16-byte TSS descriptor.
    public static let size = 56

    /// Flat 64-bit kernel code: present, DPL 0, execute/read, L=1.
    public static let kernelCodeDescriptor: UInt64 = 0x00AF_9A00_0000_FFFF
    /// Flat kernel data: present, DPL 0, read/write.
    public static let kernelDataDescriptor: UInt64 = 0x00CF_9200_0000_FFFF
    /// Flat program data: present, DPL 3, read/write.
    public static let userDataDescriptor: UInt64 = 0x00CF_F200_0000_FFFF
    /// Flat 64-bit program code: present, DPL 3, execute/read, L=1.
    public static let userCodeDescriptor: UInt64 = 0x00AF_FA00_0000_FFFF

    /// The 16-byte descriptor of an available 64-bit TSS at `base` with `limit`.
    public static func taskStateDescriptor(base: UInt64, limit: UInt32) -> (low: UInt64, high: UInt64) {
        var low = UInt64(limit & 0xFFFF)
        low |= (base & 0xFFFF) << 16
        low |= ((base >> 16) & 0xFF) << 32
        low |= UInt64(0x89) << 40                           // present, type 9: available 64-bit TSS
        low |= UInt64((limit >> 16) & 0xF) << 48
        low |= ((base >> 24) & 0xFF) << 56
        return (low, base >> 32)
    }

    /// Writes the table into `region`, pointing its TSS entry at `taskState`.
    public static func encode(into region: MemoryRegion, taskState: MemoryRegion) {
        region.store(UInt64(0), at: 0)
        region.store(kernelCodeDescriptor, at: 8)
        region.store(kernelDataDescriptor, at: 16)
        let tss = taskStateDescriptor(base: taskState.base, limit: UInt32(TaskStateSegment.size - 1))
        region.store(tss.low, at: 24)
        region.store(tss.high, at: 32)
        region.store(userDataDescriptor, at: 40)
        region.store(userCodeDescriptor, at: 48)
    }

    /// Loads the table in `region` (LGDT) and the task register (LTR).
    ///
    /// The caller guarantees the region stays allocated and unchanged while it is loaded.
    @unsafe public static func load(_ region: MemoryRegion) {
        #if hasFeature(Embedded)
        // SAFETY: the caller keeps the table alive; its code and data entries equal the early
        // ones, so the current CS/SS stay valid.
        unsafe x86_lgdt(region.base, UInt16(size - 1))
        x86_ltr(SegmentSelector.taskState)
        #else
        BareMachine.unavailable("lgdt")
        #endif
    }
}

/// The segment selectors of the kernel's global descriptor table (SDM Vol. 3A §3.4.2).
public enum SegmentSelector {
    /// 64-bit kernel code, entry 1.
    public static let kernelCode: UInt16 = 0x08
    /// Kernel data, entry 2.
    public static let kernelData: UInt16 = 0x10
    /// The task state segment, entries 3 and 4 (a system descriptor is 16 bytes).
    public static let taskState: UInt16 = 0x18
    /// Program data (ring 3), entry 5, RPL 3.
    public static let userData: UInt16 = 0x2B
    /// 64-bit program code (ring 3), entry 6, RPL 3.
    public static let userCode: UInt16 = 0x33
}

/// The PVH boot structure `struct hvm_start_info` and its memory map entries
/// (Xen, xen/include/public/arch-x86/hvm/start_info.h), as byte offsets.
enum StartInfo {
    /// "xEn3" with the high bit of the last byte set.
    static let magic: UInt32 = 0x336E_C578
    static let magicOffset = 0
    static let versionOffset = 4
    static let moduleCountOffset = 12
    static let moduleListOffset = 16
    static let commandLineOffset = 24
    static let rsdpOffset = 32
    static let memoryMapOffset = 40
    static let memoryMapEntriesOffset = 48
    /// Size of the version-1 structure.
    static let size = 56

    /// `struct hvm_memmap_table_entry`: addr (8), size (8), type (4), reserved (4).
    static let entrySize = 24
    static let entryAddressOffset = 0
    static let entrySizeOffset = 8
    static let entryTypeOffset = 16

    /// `struct hvm_modlist_entry`: paddr (8), size (8), cmdline_paddr (8), reserved (8).
    static let moduleEntrySize = 32
    /// The most modules accepted (QEMU passes one: its `-initrd`).
    static let maximumModules = 16

    /// The most memory-map entries accepted (a sanity bound against a corrupt count).
    static let maximumEntries = 128
    /// The longest command line accepted, in bytes.
    static let maximumCommandLine = 4096
}

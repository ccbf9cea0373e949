// A module that was handed a MemoryRegion may narrow it and read through it without `unsafe`.
import Boot
import Paging
import X86

func readHeader(of region: MemoryRegion, info: BootInfo, translation: Translation) -> UInt32 {
    let header = region.subregion(offset: 4, size: 8)
    _ = info.commandLine
    _ = translation.physical
    return header.load(as: UInt32.self, at: 0)
}

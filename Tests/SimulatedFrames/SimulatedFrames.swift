import X86
@testable import Boot

/// One simulated machine per test process: 8 MiB of RAM at physical 0 with the fence's frame
/// table over it (frames from 4 KiB up are free), and above it a boot module's 256 KiB
/// (``bootModule``: its frames hold the module). The frame table is installed once per
/// process, and every host test target that needs frames runs in the same process, so they
/// all share this one installation.
public enum SimulatedFrames {
    public static let ramBytes = 8 << 20
    /// Where the simulated boot module lies (one test takes its frames).
    public static let bootModule = PhysicalRange(start: PhysAddr(UInt64(ramBytes)), size: 256 << 10)
    static let ram = SimulatedMemory(size: ramBytes + Int(bootModule.size), physicalBase: PhysAddr(0))
    static let states = SimulatedMemory(size: (ramBytes + Int(bootModule.size)) / 4096)
    static let chunkTable = SimulatedMemory(size: HeapOwnership.tableBytes)
    static let installed: Bool = {
        HeapOwnership.prepare(table: chunkTable.region)
        FrameTable.install(window: ram.window, states: states.region,
                           free: [PhysicalRange(start: PhysAddr(0x1000), size: UInt64(ramBytes - 0x1000))], bootModules: [bootModule])
        return true
    }()

    /// Installs the frame table if this process has not yet.
    public static func install() { _ = installed }

    /// The first free frame at or above `start` (tests that claim fixed addresses keep below
    /// 4 MiB; tests that take any frame start above it).
    public static func claimFrame(from start: UInt64 = 4 << 20) -> Frame? {
        install()
        var address = start
        while address < UInt64(ramBytes) {
            if let frame = FrameTable.claim(PhysAddr(address)) { return frame }
            address += 0x1000
        }
        return nil
    }
}

/// The hello application: greets, summarises the memory map, names the boot modules (an
/// initrd) and reports how long boot took.
import Boot
import X86

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        print("Hello from SwiftyHermit!")
        let map = boot.memoryMap
        print("memory map: \(map.entries.count) entries, \(map.usableBytes / 1024) KiB usable RAM")
        for entry in map.entries {
            print("  \(Hex.string(entry.range.start.value)) - \(Hex.string(entry.range.end.value)) \(describe(entry.kind))")
        }
        print("kernel image: \(boot.kernelImage.size / 1024) KiB at \(Hex.string(boot.kernelImage.start.value))")
        print("heap: \(boot.heap.size / 1024) KiB at \(Hex.string(boot.heap.start.value))")
        if !boot.commandLine.isEmpty { print("command line: \(boot.commandLine)") }
        for (index, module) in boot.modules.enumerated() {
            print("module \(index): \(module.size) bytes at \(Hex.string(module.start.value))")
        }
        print("boot: \(boot.bootCycles) TSC cycles from PVH entry to main")
        return 0
    }

    static func describe(_ kind: MemoryMapEntry.Kind) -> String {
        switch kind {
        case .usable: "usable"
        case .reserved: "reserved"
        case .acpiReclaimable: "ACPI reclaimable"
        case .acpiNonVolatile: "ACPI NVS"
        case .unusable: "unusable"
        case .other(let type): "type \(type)"
        }
    }
}

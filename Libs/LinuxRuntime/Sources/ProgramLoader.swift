import Alloc
import Boot
import ELF
import LinuxABI
import X86

/// Carries a program's ``LoadPlan`` and initial stack out on the program's pages.
///
/// Guarantees: on success every page of every planned region is backed, holds the file's
/// bytes where the plan copies them and zeros elsewhere, and has the region's protection;
/// the initial stack's bytes end at ``LinuxProgram/stackTop``; the returned mappings record
/// the regions and the 8 MiB stack, so `mprotect` (RELRO) and the fault path see them. A
/// program that does not fit the program area (ET_EXEC) or memory is refused with a reason.
enum ProgramLoader {
    struct Loaded {
        var mappings: MemoryMappings
        var programRange: Range<UInt64>?
        var failure: String?
    }

    static func protection(_ protection: MemoryMappings.Protection) -> UserAddressSpace.Protection {
        var result: UserAddressSpace.Protection = []
        if protection.contains(.read) { result.insert(.read) }
        if protection.contains(.write) { result.insert(.write) }
        if protection.contains(.execute) { result.insert(.execute) }
        return result
    }

    static func load(_ program: LinuxProgram) -> Loaded {
        var mappings = MemoryMappings(window: LinuxProgram.window.lowerBound..<LinuxProgram.stackTop)
        let plan = program.plan
        func refused(_ reason: String) -> Loaded { Loaded(mappings: mappings, programRange: nil, failure: reason) }
        guard let first = plan.regions.first, let last = plan.regions.last else { return refused("\(program.path) has no loadable segment") }
        let range = first.range.lowerBound..<last.range.upperBound
        if program.executable.kind != .positionIndependent {
            let area = UserAddressSpace.programArea
            guard range.lowerBound >= area.lowerBound, range.upperBound <= area.upperBound else {
                return refused("\(program.path) needs memory at 0x\(String(range.lowerBound, radix: 16))..0x\(String(range.upperBound, radix: 16)), "
                               + "which this machine could not reserve (give the VM more memory)")
            }
        }
        // Back every page writable, copy the file's bytes, then set the final protection.
        for region in plan.regions {
            var page = region.range.lowerBound
            while page < region.range.upperBound {
                guard Frames.backUserPage(VirtAddr(page), protection: [.read, .write]) else { return refused("out of memory loading \(program.path)") }
                page += 4096
            }
        }
        let file = program.executable.file   // read in place, in the initrd
        for copy in plan.copies {
            guard UserAddressSpace.write(copy.address, from: file.storage, offset: file.offset + Int(copy.fileOffset), count: Int(copy.length)) == .done else {
                return refused("could not copy \(program.path)'s segments")
            }
        }
        for region in plan.regions {
            var page = region.range.lowerBound
            while page < region.range.upperBound {
                _ = UserAddressSpace.protect(VirtAddr(page), protection(region.protection))
                page += 4096
            }
            guard (try? mappings.map(length: UInt64(region.range.count), protection: region.protection,
                                     placement: .fixed(region.range.lowerBound))) != nil else { return refused("could not record \(program.path)'s segments") }
        }
        // The stack: an 8 MiB mapping whose top pages hold the initial stack now.
        let stackBottom = LinuxProgram.stackTop - LinuxProgram.stackSize
        guard (try? mappings.map(length: LinuxProgram.stackSize, protection: [.read, .write], placement: .fixed(stackBottom))) != nil else {
            return refused("could not record the stack")
        }
        let stack = program.stack
        var page = stack.stackPointer & ~0xFFF
        while page < LinuxProgram.stackTop {
            guard Frames.backUserPage(VirtAddr(page), protection: [.read, .write]) else { return refused("out of memory for the stack") }
            page += 4096
        }
        guard UserAddressSpace.write(stack.stackPointer, stack.bytes) == .done else { return refused("could not write the initial stack") }
        return Loaded(mappings: mappings, programRange: range, failure: nil)
    }
}

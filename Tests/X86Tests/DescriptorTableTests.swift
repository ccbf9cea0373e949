import Testing
import X86

@Suite("Descriptor table encodings (SDM Vol. 3A §3.4.5, §6.14.1, §8.7)")
struct DescriptorTableTests {
    @Test func interruptGatesSplitTheHandlerAddress() {
        let gate = InterruptDescriptorTable.gate(handler: 0xFFFF_8000_1234_5678, interruptStack: 1)
        #expect(gate.low & 0xFFFF == 0x5678)                 // offset 15..0
        #expect((gate.low >> 16) & 0xFFFF == 0x08)           // kernel code selector
        #expect((gate.low >> 32) & 0x7 == 1)                 // IST 1
        #expect((gate.low >> 40) & 0xFF == 0x8E)             // present 64-bit interrupt gate
        #expect((gate.low >> 48) & 0xFFFF == 0x1234)         // offset 31..16
        #expect(gate.high == 0xFFFF_8000)                    // offset 63..32
    }

    @Test func taskStateDescriptorsEncodeBaseAndLimit() {
        let d = GlobalDescriptorTable.taskStateDescriptor(base: 0x1_2345_6789, limit: 103)
        #expect(d.low & 0xFFFF == 103)
        #expect((d.low >> 16) & 0xFFFFFF == 0x45_6789)
        #expect((d.low >> 40) & 0xFF == 0x89)
        #expect((d.low >> 56) & 0xFF == 0x23)
        #expect(d.high == 0x1)
    }

    @Test func theTablesAreWrittenWhereTheSelectorsPoint() {
        let memory = SimulatedMemory(size: 8192)
        let gdt = memory.region.subregion(offset: 0, size: GlobalDescriptorTable.size)
        let tss = memory.region.subregion(offset: 64, size: TaskStateSegment.size)
        let idt = memory.region.subregion(offset: 4096, size: InterruptDescriptorTable.size)
        TaskStateSegment.encode(into: tss, interruptStackTops: [0xAAAA_0000])
        GlobalDescriptorTable.encode(into: gdt, taskState: tss)
        InterruptDescriptorTable.encode(into: idt, interruptStacks: [(vector: 8, stack: 1)])

        #expect(gdt.load(as: UInt64.self, at: 0) == 0)
        #expect(gdt.load(as: UInt64.self, at: Int(SegmentSelector.kernelCode)) == GlobalDescriptorTable.kernelCodeDescriptor)
        #expect(gdt.load(as: UInt64.self, at: Int(SegmentSelector.kernelData)) == GlobalDescriptorTable.kernelDataDescriptor)
        #expect(tss.load(as: UInt64.self, at: 36) == 0xAAAA_0000, "IST1")
        #expect(tss.load(as: UInt16.self, at: 102) == 104, "no I/O bitmap")
        // Only the double fault gate uses IST 1.
        #expect((idt.load(as: UInt64.self, at: 8 * 16) >> 32) & 7 == 1)
        #expect((idt.load(as: UInt64.self, at: 14 * 16) >> 32) & 7 == 0)
        // Each gate points at its own stub, 16 bytes apart.
        let stub0 = idt.load(as: UInt64.self, at: 0) & 0xFFFF
        let stub1 = idt.load(as: UInt64.self, at: 16) & 0xFFFF
        #expect(stub1 - stub0 == 16)
    }

    @Test func exceptionNamesAndErrorCodesFollowTheManual() {
        #expect(ExceptionVector(rawValue: 14)?.name.description == "page fault (#PF)")
        #expect(ExceptionVector.pageFault.hasErrorCode)
        #expect(!ExceptionVector.invalidOpcode.hasErrorCode)
        #expect(ExceptionVector(rawValue: 15) == nil, "vector 15 is reserved")
        #expect(PageFaultErrorCode(rawValue: 0b00010).summary.description == "write to a non-present page")
        #expect(PageFaultErrorCode(rawValue: 0b00011).summary.description == "write to a read-only page")
        #expect(PageFaultErrorCode(rawValue: 0b10001).summary.description == "instruction fetch from a no-execute page")
        #expect(InterruptFrame.size == MemoryLayout<InterruptFrame>.size, "frame layout matches the stub")
    }
}

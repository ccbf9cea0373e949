import Testing
import X86

@Suite("Frame-pointer backtraces read only the stacks they are given")
struct BacktraceTests {
    /// A stack with frames at offsets 0x100 → 0x180 → 0x200 (then a zero link).
    func makeStack() -> SimulatedMemory {
        let memory = SimulatedMemory(size: 1024)
        let base = memory.region.base
        memory.region.store(base + 0x180, at: 0x100); memory.region.store(UInt64(0x1111), at: 0x108)
        memory.region.store(base + 0x200, at: 0x180); memory.region.store(UInt64(0x2222), at: 0x188)
        memory.region.store(UInt64(0), at: 0x200); memory.region.store(UInt64(0x3333), at: 0x208)
        return memory
    }

    @Test func walksTheChainOfFrames() {
        let stack = makeStack()
        let trace = Backtrace(framePointer: stack.region.base + 0x100, stacks: [stack.region])
        #expect(trace.returnAddresses == [0x1111, 0x2222, 0x3333])
    }

    @Test func stopsAtAFramePointerOutsideTheKnownStacks() {
        let stack = makeStack()
        stack.region.store(UInt64(0xDEAD_0000), at: 0x180)  // corrupt link
        let trace = Backtrace(framePointer: stack.region.base + 0x100, stacks: [stack.region])
        #expect(trace.returnAddresses == [0x1111, 0x2222])
        #expect(Backtrace(framePointer: 0x1234_5678, stacks: [stack.region]).returnAddresses.isEmpty)
    }

    @Test func stopsAtALoopOrMisalignedLink() {
        let stack = makeStack()
        stack.region.store(stack.region.base + 0x100, at: 0x180)  // points back down: a loop
        #expect(Backtrace(framePointer: stack.region.base + 0x100, stacks: [stack.region]).returnAddresses == [0x1111, 0x2222])
        #expect(Backtrace(framePointer: stack.region.base + 0x101, stacks: [stack.region]).returnAddresses.isEmpty)
    }
}

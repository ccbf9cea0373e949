import Testing
@testable import X86

@Suite("Interrupt vectors are claimed once")
struct InterruptDispatchTests {
    @Test func aVectorIsClaimedOnceAndNeverReplaced() {
        #expect(InterruptDispatch.register(vector: 0xA0) { _ in })
        #expect(!InterruptDispatch.register(vector: 0xA0) { _ in })
    }

    @Test func theAbortVectorsCannotBeClaimed() {
        #expect(!InterruptDispatch.register(vector: ExceptionVector.doubleFault.rawValue) { _ in })
        #expect(!InterruptDispatch.register(vector: ExceptionVector.machineCheck.rawValue) { _ in })
        #expect(InterruptDispatch.isClaimable(ExceptionVector.pageFault.rawValue))
    }

    @Test func aRetiredContextHandsItsStackBackOnceAndARunningOneNever() {
        let memory = SimulatedMemory(size: 8192)
        let stack = unsafe ThreadStack(unsafeBase: memory.region.base, size: 8192)
        let context = ExecutionContext(stack: stack, argument: 3)
        #expect(!context.isRunning)
        let first = context.retire()?.base
        let second = context.retire()?.base
        #expect(first == memory.region.base)
        #expect(second == nil)
        let running = unsafe ExecutionContext(runningOn: ThreadStack(unsafeBase: memory.region.base, size: 8192))
        let fromRunning = running.retire()?.base
        #expect(fromRunning == nil)
    }
}

// expected-error: no exact matches in call to static method 'release'
// Freeing takes the token, not an address: the live page-table root cannot be freed by number.
import Boot
import X86

func freeRoot() {
    _ = FrameTable.release(PhysAddr(ControlRegisters.cr3 & ~0xFFF))
}

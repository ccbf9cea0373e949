// expected-error: 'SystemCallFrame' initializer is inaccessible due to 'internal' protection level
// Only X86's SYSCALL path makes a view of a system call's frame: a forged one would write
// anywhere through its address.
import X86

func forge() {
    let frame = SystemCallFrame(address: 0x1000)
    frame.setResult(0)
}

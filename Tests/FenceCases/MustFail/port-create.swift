// expected-error: expression uses unsafe constructs but is not marked with 'unsafe'
// expected-error: reference to unsafe initializer 'init(_:)'
// Port 0x514 is QEMU's fw_cfg DMA register, which copies data into any guest address.
import X86

func firmwareDMA(descriptor: UInt32) {
    Port<UInt32>(0x514).write(descriptor)
}

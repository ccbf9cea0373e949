import Testing
import X86

@Suite("Physical and virtual addresses")
struct AddressTests {
    @Test func virtualAddressesMustBeCanonical() {
        #expect(VirtAddr(checked: 0x0000_7FFF_FFFF_FFFF) != nil)
        #expect(VirtAddr(checked: 0xFFFF_8000_0000_0000) != nil)
        #expect(VirtAddr(checked: 0x0000_8000_0000_0000) == nil)
        #expect(VirtAddr(checked: 0x1234_0000_0000_0000) == nil)
        #expect(VirtAddr(truncating: 0x0000_8000_0000_1234).value == 0xFFFF_8000_0000_1234)
    }

    @Test func pageTableIndicesComeFromTheRightBits() {
        let address = VirtAddr(0x0000_7F80_C060_3ABC)
        #expect(address.pageOffset == 0xABC)
        #expect(address.pageTableIndex(level: 1) == 0x003)
        #expect(address.pageTableIndex(level: 2) == 0x003)
        #expect(address.pageTableIndex(level: 3) == 0x003)
        #expect(address.pageTableIndex(level: 4) == 0x0FF)
    }

    @Test func physicalAddressesAlign() {
        let address = PhysAddr(0x1234)
        #expect(address.alignedDown(to: 0x1000) == PhysAddr(0x1000))
        #expect(address.alignedUp(to: 0x1000) == PhysAddr(0x2000))
        #expect(PhysAddr(0x2000).alignedUp(to: 0x1000) == PhysAddr(0x2000))
        #expect(address.isAligned(to: 4) && !address.isAligned(to: 8))
        #expect(address.description == "0x0000000000001234")
    }

    @Test func hexFormattingIsFixedWidth() {
        #expect(Hex.string(0xFF, digits: 4) == "0x00ff")
        #expect(Hex.string(UInt64.max) == "0xffffffffffffffff")
    }
}

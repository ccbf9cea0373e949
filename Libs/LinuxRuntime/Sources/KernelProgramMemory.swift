import Alloc
import Boot
import LinuxABI
import X86

/// The program's memory as the system-call layer reaches it, through Boot's checked copies.
///
/// Guarantees: a copy succeeds only if every byte lies in the program's pages with the
/// access asked for; a page the program mapped but has not touched yet is backed first
/// (as the program's own touch would have backed it), so passing a fresh buffer to `read`
/// works; anything else is nil or false (the caller's `EFAULT`), and nothing is written then.
final class KernelProgramMemory: ProgramMemory, Sendable {
    func read(_ address: UInt64, count: Int) -> [UInt8]? {
        guard count > 0 else { return count == 0 ? [] : nil }
        var bytes: [UInt8] = []
        for _ in 0..<(count / 4096 + 3) {
            switch UserAddressSpace.read(address, count: count, into: &bytes) {
            case .done: return bytes
            case .fault: return nil
            case .notPresent(let page): guard back(page, write: false) else { return nil }
            }
        }
        return nil
    }

    func write(_ address: UInt64, _ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        for _ in 0..<(bytes.count / 4096 + 3) {
            switch UserAddressSpace.write(address, bytes) {
            case .done: return true
            case .fault: return false
            case .notPresent(let page): guard back(page, write: true) else { return false }
            }
        }
        return false
    }

    /// Backs `page` if the program's mappings allow the access.
    /// Atomically replaces the word at `address` with `desired` if it holds `expected`; the
    /// word found, or nil when `address` is no aligned word of writable program memory.
    func compareExchange32(_ address: UInt64, expected: UInt32, desired: UInt32) -> UInt32? {
        for _ in 0..<3 {
            switch UserAddressSpace.compareExchange32(address, expected: expected, desired: desired) {
            case .found(let value): return value
            case .fault: return nil
            case .notPresent(let page): guard back(page, write: true) else { return nil }
            }
        }
        return nil
    }

    func back(_ page: UInt64, write: Bool) -> Bool {
        guard let protection = LinuxRuntime.resolve(page, write, false) else { return false }
        return Frames.backUserPage(VirtAddr(page), protection: protection) || KernelPages.translate(VirtAddr(page)) != nil
    }
}

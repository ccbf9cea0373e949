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
        return backingPages(count: count, write: false) { UserAddressSpace.read(address, count: count, into: &bytes) } ? bytes : nil
    }

    func write(_ address: UInt64, _ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        return backingPages(count: bytes.count, write: true) { UserAddressSpace.write(address, bytes) }
    }

    /// Atomically replaces the word at `address` with `desired` if it holds `expected`; the
    /// word found, or nil when `address` is no aligned word of writable program memory.
    func compareExchange32(_ address: UInt64, expected: UInt32, desired: UInt32) -> UInt32? {
        var found: UInt32 = 0
        let done = backingPages(count: 4, write: true) {
            let outcome = UserAddressSpace.compareExchange32(address, expected: expected, desired: desired)
            found = outcome.found
            return outcome.access
        }
        return done ? found : nil
    }

    /// Runs `attempt` (an access of `count` bytes) until it is done, backing each page it
    /// finds untouched as the program's mappings allow; false on a fault.
    func backingPages(count: Int, write: Bool, _ attempt: () -> UserAddressSpace.Access) -> Bool {
        for _ in 0..<(count / 4096 + 3) {
            switch attempt() {
            case .done: return true
            case .fault: return false
            case .notPresent(let page): guard back(page, write: write) else { return false }
            }
        }
        return false
    }

    /// Backs `page` if the program's mappings allow the access.
    func back(_ page: UInt64, write: Bool) -> Bool {
        guard let protection = LinuxRuntime.resolve(page, write, false) else { return false }
        return Frames.backUserPage(VirtAddr(page), protection: protection) || KernelPages.translate(VirtAddr(page)) != nil
    }
}

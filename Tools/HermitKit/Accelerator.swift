import Foundation

/// How QEMU executes the guest.
public enum Accelerator: String, Sendable, CaseIterable {
    /// Hardware virtualisation through /dev/kvm.
    case kvm
    /// QEMU's own dynamic translator.
    case tcg

    /// KVM when the host has hardware KVM (the kvm_intel or kvm_amd module), TCG otherwise.
    /// A /dev/kvm served by kvm-pvm (a software hypervisor that faults on SSE) is not used.
    public static func detect(moduleDirectory: String = "/sys/module") -> Accelerator {
        let fileManager = FileManager.default
        let hardware = fileManager.fileExists(atPath: moduleDirectory + "/kvm_intel")
            || fileManager.fileExists(atPath: moduleDirectory + "/kvm_amd")
        return hardware && fileManager.isWritableFile(atPath: "/dev/kvm") ? .kvm : .tcg
    }
}

import X86

/// A PCI function's location: X86's ``X86/PCIConfigurationSpace/Function`` (bus, device
/// 0...31, function 0...7), which the fenced configuration access takes as it is.
public typealias PCIAddress = PCIConfigurationSpace.Function

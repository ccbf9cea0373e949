/// # ACPI: the firmware tables that describe the machine
///
/// What is in here: finding the RSDP, walking the RSDT or XSDT, validating every table's
/// signature, length and checksum before a field is trusted, and reading the MADT (the
/// processors' local APICs and the I/O APICs) into plain Swift values.
///
/// What is not in here: AML, power management, and any `unsafe`: tables are read only
/// through Boot's physical memory window.
public enum ACPI {}

/// Why the ACPI tables could not be read.
public enum ACPIError: Error, Equatable, Sendable {
    /// The VMM gave no RSDP address.
    case noRSDP
    /// A structure lies outside the physical memory window.
    case outsideMemory(PhysAddrValue)
    /// A signature did not match.
    case badSignature(String)
    /// A checksum did not add up to zero.
    case badChecksum(String)
    /// A length field is impossible.
    case badLength(String)
    /// No table with this signature is listed.
    case missingTable(String)

    /// A physical address, as a plain number (so the error stays `Equatable`).
    public typealias PhysAddrValue = UInt64
}

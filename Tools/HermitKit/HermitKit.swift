/// # HermitKit: the host side of SwiftyHermit
///
/// What is in here: image configs and their validation against the package's modules, the
/// image builder (composition root generation, SwiftPM cross build, link), the QEMU runner,
/// and the unsafe-code audit. The `hermit` command is a thin front end over these types;
/// image tests use them directly.
///
/// What is not in here: kernel code. Nothing in this module is linked into an image.
public enum HermitKit {}

/// A failure the `hermit` command reports as one line and a non-zero exit status.
public struct HermitError: Error, CustomStringConvertible, Equatable {
    /// The message, without a "hermit:" prefix.
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where the kernel runs: on the bare machine (an Embedded Swift image) or on the host
/// (unit tests).
public enum BareMachine {
    /// True in a kernel image, false in host builds.
    #if hasFeature(Embedded)
    /// True: this is a kernel image.
    public static let isPresent = true
    #else
    /// False: this is a host build.
    public static let isPresent = false
    #endif

    /// Stops a host process that tried to execute a privileged instruction, naming it.
    public static func unavailable(_ instruction: StaticString) -> Never {
        fatalError("\(instruction) needs the bare machine; it cannot run in a host process")
    }
}

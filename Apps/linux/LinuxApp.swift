/// The app of an image that runs an unmodified static Linux executable: the program in the
/// boot module (QEMU's `-initrd`), with the arguments after `--` on the command line.
import Boot
import LinuxRuntime

public enum App: Application {
    public static func main(boot: BootInfo) -> Int32 {
        LinuxRuntime.run(commandLine: boot.commandLine, memoryBytes: boot.memoryMap.usableBytes)
    }
}

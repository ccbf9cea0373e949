import Boot
import X86

/// How a program that faults ends: as on Linux, with the signal the exception raises, a
/// report naming the address and the instruction, and the exit status 128 + signal.
extension LinuxRuntime {
    /// The signal Linux sends for exception `vector`, and its name.
    static func signal(for vector: UInt64) -> (number: Int32, name: StaticString) {
        switch vector {
        case 0, 16, 19: (8, "SIGFPE")
        case 1, 3: (5, "SIGTRAP")
        case 6: (4, "SIGILL")
        case 17: (7, "SIGBUS")
        default: (11, "SIGSEGV")
        }
    }

    /// The fault handler ``X86/UserMode`` calls for an exception in ring 3.
    static func fault(_ frame: InterruptFrame, _ reason: StaticString) -> Never {
        let (number, name) = signal(for: frame.vector)
        let program = programName.withLock { $0 }
        func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
        var report = "hermit: " + program + "[1]: "
        if frame.vector == 14 {
            report += "segfault at " + hex(ControlRegisters.cr2) + " ip " + hex(frame.rip) + " sp " + hex(frame.rsp)
                + " error " + String(frame.errorCode)
        } else {
            report += "trap " + String(frame.vector) + " ip " + hex(frame.rip) + " sp " + hex(frame.rsp) + " error " + String(frame.errorCode)
        }
        Console.write(report + " (")
        Console.write(reason)
        Console.write(")\nhermit: the program was killed by signal " + String(number) + " (")
        Console.write(name)
        Console.write(")\n")
        end(status: 128 + number)
    }
}

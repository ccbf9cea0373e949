// swift-tools-version: 6.2
//
// SwiftyHermit: a unikernel framework in Embedded Swift.
//
// The same library targets build twice: for the host (`swift build`, `swift test`) and for
// the kernel (`hermit build <config>`, which cross-compiles the `Image` product for
// x86_64-unknown-none-elf). The `Image` target is the composition root that the image builder
// generates from a config; it exists only while the builder runs, announced through the
// HERMIT_IMAGE_DEPENDENCIES environment variable.
import PackageDescription

/// Every target compiles with strict memory safety, and its diagnostics are errors.
let strict: [SwiftSetting] = [
    .strictMemorySafety(),
    .treatWarning("StrictMemorySafety", as: .error),
]

/// A kernel library under Libs/: its Swift sources live in `Libs/<name>/Sources`.
func kernelLibrary(_ name: String, dependencies: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: dependencies, path: "Libs/\(name)/Sources", swiftSettings: strict)
}

/// An application under Apps/: an ordinary Swift library target whose `main` the image calls.
func app(_ name: String, directory: String, dependencies: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: dependencies, path: "Apps/\(directory)", swiftSettings: strict)
}

var targets: [Target] = [
    // Kernel libraries.
    .target(name: "X86Shim", path: "Libs/X86/Shim"),
    kernelLibrary("X86", dependencies: ["X86Shim"]),
    .target(name: "BootEntry", path: "Libs/Boot/Entry", exclude: ["link.ld"]),
    kernelLibrary("Boot", dependencies: ["X86", "BootEntry"]),
    kernelLibrary("Alloc", dependencies: ["X86", "Boot"]),
    kernelLibrary("Paging", dependencies: ["X86", "Boot", "Alloc"]),
    kernelLibrary("Sched", dependencies: ["X86", "Boot", "Paging"]),
    kernelLibrary("ACPI", dependencies: ["X86"]),
    kernelLibrary("APIC", dependencies: ["X86", "Boot", "Paging", "Sched", "ACPI"]),
    kernelLibrary("Parallel", dependencies: ["Sched", "X86"]),
    kernelLibrary("Net"),
    kernelLibrary("ELF"),
    kernelLibrary("CPIO"),
    kernelLibrary("LinuxABI", dependencies: ["ELF", "CPIO", "Net"]),
    kernelLibrary("LinuxRuntime", dependencies: ["LinuxABI", "Net", "ELF", "Alloc", "Paging", "Sched", "Boot", "X86"]),
    kernelLibrary("LinuxNetwork", dependencies: ["LinuxRuntime", "Net", "Virtio", "APIC", "Sched", "Boot", "X86"]),
    kernelLibrary("HTTP", dependencies: ["Net"]),
    kernelLibrary("PCI", dependencies: ["X86"]),
    kernelLibrary("Virtio", dependencies: ["X86", "Boot", "Alloc", "Paging", "PCI", "Net"]),

    // Applications.
    app("Hello", directory: "hello", dependencies: ["Boot", "X86"]),
    app("Crash", directory: "crash", dependencies: ["Boot", "X86"]),
    app("ThreadsApp", directory: "threads", dependencies: ["APIC", "Sched", "Alloc", "Paging", "Boot", "X86"]),
    app("MemoryApp", directory: "memory", dependencies: ["Alloc", "Paging", "Boot", "X86"]),
    app("BenchApp", directory: "bench", dependencies: ["Alloc", "Paging", "Sched", "Boot", "X86"]),
    app("HTTPServerApp", directory: "httpd", dependencies: ["Virtio", "HTTP", "Net", "Alloc", "APIC", "Sched", "Boot", "X86"]),
    app("LinuxApp", directory: "linux", dependencies: ["LinuxRuntime", "Boot"]),
    app("MatmulApp", directory: "matmul", dependencies: ["Parallel", "APIC", "Sched", "Boot", "X86"]),
    // The matmul app's algorithms and benchmark, built for the host: the same source.
    .executableTarget(name: "matmul-host", dependencies: ["MatmulApp", "Boot", "Parallel"], path: "Apps/matmul-host", swiftSettings: strict),

    // Host tools: the image builder, runner and audit.
    .target(name: "HermitKit", dependencies: ["ELF", "CPIO"], path: "Tools/HermitKit", swiftSettings: strict),
    .executableTarget(name: "hermit", dependencies: ["HermitKit"], path: "Tools/hermit", swiftSettings: strict),
    // The kernel's path for one HTTP request (epoll_wait, read, writev, the stack's polls) on the host, for callgrind.
    .executableTarget(name: "request-path", dependencies: ["LinuxABI", "Net", "HostDoubles"], path: "Tools/request-path", swiftSettings: strict),

    // Host tests.
    .testTarget(name: "X86Tests", dependencies: ["X86"], swiftSettings: strict),
    // One simulated machine (RAM and the fence's frame table) shared by the host tests that need frames.
    .target(name: "SimulatedFrames", dependencies: ["Boot", "X86"], path: "Tests/SimulatedFrames", swiftSettings: strict),
    .testTarget(name: "BootTests", dependencies: ["Boot", "X86", "Alloc", "Paging", "SimulatedFrames"], swiftSettings: strict),
    .testTarget(name: "AllocTests", dependencies: ["Alloc", "Boot", "X86"], swiftSettings: strict),
    .testTarget(name: "SchedTests", dependencies: ["Sched"], swiftSettings: strict),
    .testTarget(name: "ACPITests", dependencies: ["ACPI", "X86"], swiftSettings: strict),
    .testTarget(name: "NetTests", dependencies: ["Net"], swiftSettings: strict),
    .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Net"], swiftSettings: strict),
    // The host's own tools (gcc, cpio, Python, mount), for tests that compare with them.
    .target(name: "HostProcess", path: "Tests/HostProcess", swiftSettings: strict),
    .testTarget(name: "ELFTests", dependencies: ["ELF", "HostProcess"], swiftSettings: strict),
    .testTarget(name: "CPIOTests", dependencies: ["CPIO", "HostProcess"], swiftSettings: strict),
    // In-memory stand-ins for a program's memory and a network link (LinuxABI's tests, Tools/request-path).
    .target(name: "HostDoubles", dependencies: ["LinuxABI", "Net"], path: "Tests/HostDoubles", swiftSettings: strict),
    .testTarget(name: "LinuxABITests", dependencies: ["LinuxABI", "Net", "ELF", "CPIO", "HostProcess", "HostDoubles"], swiftSettings: strict),
    .testTarget(name: "VirtioTests", dependencies: ["Virtio", "Boot", "X86", "SimulatedFrames"], swiftSettings: strict),
    .testTarget(name: "ParallelTests", dependencies: ["Parallel"], swiftSettings: strict),
    .testTarget(name: "HermitKitTests", dependencies: ["HermitKit"], swiftSettings: strict),
    // Compile-fail tests of the fence: type-checks Tests/FenceCases against these modules.
    .testTarget(name: "FenceTests", dependencies: ["X86", "Boot", "Alloc", "Paging", "Sched", "APIC", "PCI", "Virtio", "Net"],
                swiftSettings: strict),
    .testTarget(name: "ImageTests", dependencies: ["HermitKit"], exclude: ["Scripts", "Programs"], swiftSettings: strict),
]

var products: [Product] = [
    .executable(name: "hermit", targets: ["hermit"]),
]

// The composition root of one image, generated by `hermit build` into Generated/Image.
if let dependencies = Context.environment["HERMIT_IMAGE_DEPENDENCIES"] {
    let names = dependencies.split(separator: ",").map { Target.Dependency(stringLiteral: String($0)) }
    targets.append(.target(name: "Image", dependencies: names, path: "Generated/Image", swiftSettings: strict))
    products.append(.library(name: "Image", type: .static, targets: ["Image"]))
}

let package = Package(name: "SwiftyHermit", products: products, targets: targets)

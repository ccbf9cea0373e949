// swift-tools-version: 6.0
//
// An ordinary Hummingbird 2 server, built the ordinary way for Linux
// (`swift build -c release --static-swift-stdlib -Xswiftc -static-executable`), that
// SwiftyHermit boots unmodified through its Linux layer: `hermit run <binary>`.
// Its own package: the kernel uses no packages, this example does.
import PackageDescription

let package = Package(
    name: "hummingbird-hello",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "HummingbirdHello",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/HummingbirdHello"
        ),
    ]
)

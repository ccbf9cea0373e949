import LinuxABI
import Net
import HostDoubles

// request-path: the kernel's share of an HTTP keep-alive request, on the host — what a
// Linux program's epoll server costs SwiftyHermit per request (epoll_wait, read, a writev of
// headers and body, and the stack's polls that carry them), through the same LinuxProcess
// and Net code the image links, against a client stack on an in-memory link.
//
//   swift build -c release --product request-path -Xswiftc -enforce-exclusivity=unchecked
//   valgrind --tool=callgrind .build/release/request-path [connections] [rounds]
//
// (The image is Embedded Swift, which has no dynamic exclusivity checks: build the host copy
// without them too, or they are a fifth of the count.) callgrind's inclusive counts of
// `server()` and `kernelNetworkPoll()` divided by the requests served are the kernel's
// instructions per request; `peerSide()` is the client's.

var now: UInt64 = 1_000
let wires = InMemoryWire.pair(1, 2)
let mine = NetworkStack(device: wires.0, configuration: InterfaceConfiguration(address: IPv4Address(10, 0, 0, 1), prefixLength: 24, gateway: nil),
                        clock: { now }, idle: { now += 1 })
let peer = NetworkStack(device: wires.1, configuration: InterfaceConfiguration(address: IPv4Address(10, 0, 0, 2), prefixLength: 24, gateway: nil),
                        clock: { now }, idle: { now += 1 })
let memory = SimulatedProgramMemory()
let tree = FileSystem(archive: nil, extras: [.device(path: "/dev/console", .console)], temporary: TemporaryStore(capacity: 1 << 20))
let files = FileDescriptorTable(fileSystem: tree, console: try! tree.lookup("/dev/console"))
let process = LinuxProcess(mappings: MemoryMappings(window: 0x0040_0000..<0x2000_0000), files: files, programEnd: 0x0050_1234,
                           processors: 1, console: { _ in }, monotonicClock: { now * 1_000_000 },
                           realTimeClock: { 1_700_000_000_000_000_007 }, random: { Array(repeating: 0xAB, count: $0) })
process.network = mine
typealias N = SystemCallNumber
@MainActor func call(_ number: N, _ arguments: UInt64...) -> Int64 { process.handle(number.rawValue, arguments, memory: memory) }

let connections = Int(CommandLine.arguments.dropFirst().first ?? "8") ?? 8
let rounds = Int(CommandLine.arguments.dropFirst(2).first ?? "2000") ?? 2000

let listener = call(.socket, 2, 1 | 0o4000, 0)
_ = memory.write(0x10_0200, SocketAddress.inet(address: 0, port: 80).bytes)
precondition(call(.bind, UInt64(listener), 0x10_0200, 16) == 0)
precondition(call(.listen, UInt64(listener), 128) == 0)
let epoll = call(.epollCreate1, 0o2000000)
var clients: [TCPStream] = []
for _ in 0..<connections { clients.append(TCPStream.open(stack: peer, address: IPv4Address(10, 0, 0, 1), port: 80)!) }
for _ in 0..<20 { mine.poll(); peer.poll(); now += 1 }
var accepted: [Int64] = []
while true {
    let fd = call(.accept4, UInt64(listener), 0, 0, 0o4000)
    if fd < 0 { break }
    accepted.append(fd)
    var event: [UInt8] = []
    let flags: UInt32 = 1 | 0x2000 | 0x8000_0000  // EPOLLIN | EPOLLRDHUP | EPOLLET
    for i in 0..<4 { event.append(UInt8(truncatingIfNeeded: flags >> (8 * i))) }
    for i in 0..<8 { event.append(UInt8(truncatingIfNeeded: UInt64(fd) >> (8 * i))) }
    _ = memory.write(0x10_0300, event)
    precondition(call(.epollControl, UInt64(epoll), 1, UInt64(fd), 0x10_0300) == 0)
}
precondition(accepted.count == connections, "accepted \(accepted.count)")
let request = Array("GET / HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nUser-Agent: wrk\r\n\r\n".utf8)
let headers = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 162\r\nDate: Fri, 04 Dec 2026 20:00:00 GMT\r\nServer: hummingbird\r\n\r\n".utf8)
let body = [UInt8](repeating: 0x41, count: 162)
_ = memory.write(0x10_1000, headers)
_ = memory.write(0x10_2000, body)
var iovec: [UInt8] = []
for value in [UInt64(0x10_1000), UInt64(headers.count), UInt64(0x10_2000), UInt64(body.count)] {
    for i in 0..<8 { iovec.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
}
_ = memory.write(0x10_0400, iovec)

@MainActor @inline(never) func kernelNetworkPoll() { mine.poll() }
@MainActor @inline(never) func peerSide() {
    peer.poll()
    for client in clients { while let bytes = client.tryRead(maximum: 65536), !bytes.isEmpty {} }
    now += 1
}
@MainActor @inline(never) func server() -> Int {
    var served = 0
    while true {
        let ready = call(.epollWait, UInt64(epoll), 0x10_0800, 64, 0)
        guard ready > 0 else { return served }
        for index in 0..<Int(ready) {
            let fd = Int64(bitPattern: memory.read(0x10_0800 + UInt64(index * 12) + 4, count: 8)!.reversed().reduce(0) { $0 << 8 | UInt64($1) })
            let got = call(.read, UInt64(fd), 0x10_4000, 4096)
            guard got > 0 else { continue }
            _ = call(.writev, UInt64(fd), 0x10_0400, 2)
            served += 1
        }
    }
}

var served = 0
for _ in 0..<rounds {
    for client in clients { _ = client.tryWrite(request[...]) }
    peer.poll()
    kernelNetworkPoll()
    served += server()
    peerSide()
    kernelNetworkPoll()
}
print("served \(served) requests over \(connections) connections")

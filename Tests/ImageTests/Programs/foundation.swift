// A static Swift program using Foundation (JSON, String(format:), ProcessInfo, a file from
// the initrd), Dispatch (concurrentPerform, a serial queue, asyncAfter), Threads with a lock
// and async/await with a task group, FileManager in the temporary directory (an atomic write,
// a move, a copy, a removal); it ends with exit(7). Its output must equal the host's.
import Foundation
import Dispatch

struct Item: Codable, Equatable { var name: String; var count: Int; var tags: [String] }

let items = (0..<5).map { Item(name: "item\($0)", count: $0 * $0, tags: ["a", "b\($0)"]) }
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]
let data = try! encoder.encode(items)
print(String(decoding: data, as: UTF8.self))
let decoded = try! JSONDecoder().decode([Item].self, from: data)
print("round trip: \(decoded == items)")
print(String(format: "%.3f %05d %@", 3.14159, 42, "text"))
print("processors: \(ProcessInfo.processInfo.activeProcessorCount > 0)")
if let text = try? String(contentsOfFile: CommandLine.arguments[1], encoding: .utf8) { print("file: \(text.split(separator: "\n").count) lines") } else { print("file: missing") }
let sums = Sums()
DispatchQueue.concurrentPerform(iterations: 8) { index in sums.add((0..<1000).reduce(0) { $0 + $1 % (index + 2) }) }
print("concurrentPerform: \(sums.total)")
let serial = DispatchQueue(label: "serial")
var order: [Int] = []
for index in 0..<5 { serial.async { order.append(index) } }
serial.sync {}
print("serial: \(order)")
let done = DispatchSemaphore(value: 0)
DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { done.signal() }
done.wait()
print("asyncAfter fired")
let lock = NSLock()
var counter = 0
var threads: [Thread] = []
for _ in 0..<4 { let t = Thread { for _ in 0..<1000 { lock.lock(); counter += 1; lock.unlock() } }; threads.append(t); t.start() }
while threads.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.005) }
print("threads: \(counter)")
func work(_ n: Int) async -> Int { (0..<n).reduce(0, +) }
let group = DispatchSemaphore(value: 0)
Task {
    let total = await withTaskGroup(of: Int.self) { g in
        for n in 1...10 { g.addTask { await work(n * 100) } }
        var total = 0
        for await value in g { total += value }
        return total
    }
    print("task group: \(total)")
    group.signal()
}
group.wait()
let scratch = NSTemporaryDirectory() + "hermit-foundation-\(UUID().uuidString)"
do {
    let manager = FileManager.default
    try manager.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    let url = URL(fileURLWithPath: scratch).appendingPathComponent("numbers.json")
    try JSONEncoder().encode(Array(1...100)).write(to: url, options: .atomic)
    let numbers = try JSONDecoder().decode([Int].self, from: Data(contentsOf: url))
    try manager.moveItem(atPath: url.path, toPath: scratch + "/moved.json")
    try manager.copyItem(atPath: scratch + "/moved.json", toPath: scratch + "/copy.json")
    let size = try manager.attributesOfItem(atPath: scratch + "/copy.json")[.size] as? Int ?? -1
    print("tmp: \(numbers.reduce(0, +)), \(try manager.contentsOfDirectory(atPath: scratch).sorted()), \(size) bytes")
    try manager.removeItem(atPath: scratch)
    print("tmp removed: \(!manager.fileExists(atPath: scratch))")
} catch {
    print("tmp: \(error)")
}
exit(7)

final class Sums: @unchecked Sendable {
    let lock = NSLock()
    var total = 0
    func add(_ value: Int) { lock.lock(); total += value; lock.unlock() }
}

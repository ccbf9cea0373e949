// A static Swift program using Foundation (JSON, String(format:), ProcessInfo, a file from
// the initrd), Dispatch (concurrentPerform, a serial queue, asyncAfter), Threads with a lock
// and async/await with a task group; it ends with exit(7). Its output must equal the host's.
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
exit(7)

final class Sums: @unchecked Sendable {
    let lock = NSLock()
    var total = 0
    func add(_ value: Int) { lock.lock(); total += value; lock.unlock() }
}

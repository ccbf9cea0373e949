// A static Swift program (swiftc -static-executable): the Swift runtime, the standard
// library's collections and strings, and its output, on the Linux layer unmodified.
var squares: [String: Int] = [:]
for index in 0..<100 { squares["n\(index)"] = index * index }
let total = squares.values.reduce(0, +)
let words = "the quick brown fox jumps over the lazy dog".split(separator: " ").map(String.init).sorted()
print("squares: \(squares.count), sum \(total)")
print("sorted: \(words.joined(separator: ","))")
print("arguments: \(CommandLine.arguments.dropFirst().joined(separator: " "))")

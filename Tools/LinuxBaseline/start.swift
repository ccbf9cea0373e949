// An ordinary static Swift program (`swiftc -static-executable`) timed from the VM's start to
// its first statement: firmware, kernel boot, loading the program, the Swift runtime's start.
// `hermit bench start` boots it as the Linux guest's /init and on SwiftyHermit, and also finds
// the least memory each runs it in. It ends the VM itself (it is init), so it must not be run
// on the host: it refuses unless it is process 1.
let atMain = start_tsc()
print("bench: vm_start_to_main=\(atMain)")
var words: [String: Int] = [:]
for word in "the quick brown fox jumps over the lazy dog the end".split(separator: " ") { words[String(word), default: 0] += 1 }
print("bench: hello from Swift, \(words.count) words, \(words["the"] ?? 0) times the")
guard getpid() == 1 else {
    print("start: not process 1; this program powers the machine off, so it only runs as a VM's init")
    exit(1)
}
start_finish(0)

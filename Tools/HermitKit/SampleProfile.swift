import Foundation

/// The report of the kernel's sampling profiler (the kernel word `profile`): the lines
/// `hermit: profile kernel|program 0x<address> <samples>` a guest prints when its program
/// ends, added up by function — kernel addresses named from the image's unstripped kernel,
/// program addresses from the program's unstripped executable, with llvm-symbolizer.
public struct SampleProfile: Sendable {
    public struct Place: Sendable, Equatable {
        public var user: Bool
        public var address: String
        public var samples: Int
    }

    public var places: [Place] = []
    public var total = 0

    /// The samples in a guest's `output` (nil when it printed no profile).
    public init?(parsing output: String) {
        var found = false
        for line in output.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ")
            if words.count == 5, words[0] == "hermit:", words[1] == "profile", words[2] == "of", let total = Int(words[3]) {
                self.total = total
                found = true
            } else if words.count == 5, words[0] == "hermit:", words[1] == "profile", words[2] == "kernel" || words[2] == "program",
                      words[3].hasPrefix("0x"), UInt64(words[3].dropFirst(2), radix: 16) != nil, let samples = Int(words[4]) {
                places.append(Place(user: words[2] == "program", address: String(words[3]), samples: samples))
            }
        }
        guard found else { return nil }
    }

    /// Lines `percent samples where function`, most sampled function first.
    public func table(toolchain: Toolchain, kernel: URL, program: URL?, top: Int = 40) -> [String] {
        func names(_ addresses: [String], in object: URL?) -> [String] {
            guard let object, !addresses.isEmpty, let symbolizer = toolchain.symbolizer,
                  let result = try? Shell.run(symbolizer, ["--obj=\(object.path)", "--functions=linkage", "--no-inlines"] + addresses),
                  result.status == 0 else { return addresses.map { _ in "??" } }
            var found = result.output.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { String($0.split(separator: "\n").first ?? "??") }
            if let demangler = toolchain.demangler, let demangled = try? Shell.run(demangler, ["--simplified", "--compact"] + found), demangled.status == 0 {
                let lines = demangled.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if lines.count >= found.count { found = Array(lines.prefix(found.count)) }
            }
            return found.count == addresses.count ? found : addresses.map { _ in "??" }
        }
        let kernelPlaces = places.filter { !$0.user }, programPlaces = places.filter { $0.user }
        var byFunction: [String: Int] = [:]
        for (place, name) in zip(kernelPlaces, names(kernelPlaces.map(\.address), in: kernel)) { byFunction["kernel  " + name, default: 0] += place.samples }
        for (place, name) in zip(programPlaces, names(programPlaces.map(\.address), in: program)) { byFunction["program " + name, default: 0] += place.samples }
        let shown = places.reduce(0) { $0 + $1.samples }
        var lines = ["\(total) samples (\(shown) in the \(places.count) most sampled addresses)"]
        for (name, samples) in byFunction.sorted(by: { $0.value > $1.value }).prefix(top) {
            lines.append(String(format: "%5.1f%% %6d  ", 100 * Double(samples) / Double(max(total, 1)), samples) + String(name.prefix(150)))
        }
        return lines
    }
}

/// A request's header fields in the order received: names as sent, values trimmed of
/// surrounding whitespace (RFC 9110 §5.5). Lookup ignores the case of names.
public struct HTTPHeaderFields: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public let name: [UInt8]
        public let value: [UInt8]
    }

    public private(set) var fields: [Field] = []

    public init() {}

    mutating func append(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        fields.append(Field(name: Array(name), value: Array(value)))
    }

    /// The values of every field named `name` (in any case), in order.
    public func values(_ name: String) -> [[UInt8]] {
        let lowercase = name.utf8.map(ASCII.lowercased)
        return fields.filter { ASCII.equalsIgnoringCase($0.name[...], lowercase) }.map { $0.value }
    }

    /// The elements of the list-valued fields named `name`, across all of them, lowercased.
    func listElements(_ name: String) -> [[UInt8]] {
        values(name).flatMap { ASCII.listElements($0[...]) }.map { $0.map(ASCII.lowercased) }
    }

    /// The first value of `name` as text, if present.
    public func first(_ name: String) -> String? {
        values(name).first.map { String(decoding: $0, as: UTF8.self) }
    }

    public var count: Int { fields.count }
}

/// `text` padded with spaces to `width` characters: right-aligned (numbers), or left-aligned
/// when `left` is set (names). Text already wider is left as it is.
public func column(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? text + padding : padding + text
}

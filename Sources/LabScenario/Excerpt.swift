/// Values are echoed in messages so the user sees what was read, but a pasted megabyte would drown
/// the line (and the terminal): anything longer than `limit` characters is shown as its first
/// `shown` characters and its size.
enum Excerpt {
    static let limit = 80
    static let shown = 60

    /// nil when `text` is short enough to show whole; otherwise its first characters and its size.
    static func shortened(_ text: String) -> (head: String, bytes: Int)? {
        guard text.utf8.count > limit, text.count > limit else { return nil }
        return (String(text.prefix(shown)), text.utf8.count)
    }
}

/// `text`, or its first 60 characters + "… (N bytes)" when it is long.
func excerpt(_ text: String) -> String {
    guard let short = Excerpt.shortened(text) else { return text }
    return "\(short.head)… (\(short.bytes) bytes)"
}

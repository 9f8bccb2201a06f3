import Yams

/// A scalar as the validators see it: its text after parameter substitution, whether it was written
/// unquoted, and where to blame it.
struct ScalarValue {
    var text: String
    /// Unquoted in the file (or produced by substitution). Only plain scalars may be numbers: `"3"`
    /// is text, as in every YAML reader.
    var isPlain: Bool
    var site: Site

    init(text: String, isPlain: Bool, site: Site) {
        self.text = text
        self.isPlain = isPlain
        self.site = site
    }

    /// The scalar as written, without substitution.
    init(_ scalar: Node.Scalar, at position: SourcePosition) {
        self.init(text: scalar.string, isPlain: scalar.style == .plain, site: Site(position))
    }

    /// YAML's null: nothing after the colon, `~` or `null`.
    var isNull: Bool { isPlain && ["", "~", "null", "Null", "NULL"].contains(text) }

    /// The value as "got …" shows it: numbers bare, text in double quotes, null in words.
    var shown: String {
        if isNull { return "an empty value" }
        if isPlain, Int(text) != nil || Double(text) != nil { return text }
        return quoted(text)
    }
}

/// `"text"` with backslashes and quotes escaped, so the user sees exactly what was read; a long text
/// is shown as `"its first 60 characters…" (N bytes)`.
func quoted(_ text: String) -> String {
    if let short = Excerpt.shortened(text) { return quoted(short.head).dropLast() + "…\" (\(short.bytes) bytes)" }
    var result = "\""
    for character in text {
        switch character {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        default: result.append(character)
        }
    }
    return result + "\""
}

/// A node as "got …" shows it: a scalar's value, or what kind of collection it is.
func describeShape(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar): return ScalarValue(scalar, at: node.position).shown
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .alias: return "an alias"
    }
}

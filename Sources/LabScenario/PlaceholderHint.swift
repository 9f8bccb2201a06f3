/// `{type: throughput, duration: ${dur}}` is a YAML syntax error: inside `{ }` and `[ ]` the braces
/// of a placeholder are read as YAML's own. libyaml's message says nothing of that, so a syntax
/// error on a line with an unquoted `${` gets the hint to quote it.
enum PlaceholderHint {
    /// "" or "; quote placeholders inside [ ] and { }: write "${dur}"", for the first of `positions`'
    /// lines that holds an unquoted placeholder.
    static func text(near positions: [SourcePosition?], in source: SourceText) -> String {
        for case let position? in positions {
            if let name = unquotedPlaceholder(onLineOf: position, in: source) {
                return "; inside [ ] and { } a placeholder must be quoted: write \"${\(excerpt(name))}\""
            }
        }
        return ""
    }

    /// The name in the first `${name}` on the line that is not right after a quote.
    private static func unquotedPlaceholder(onLineOf position: SourcePosition, in source: SourceText) -> String? {
        guard let start = source.offset(of: SourcePosition(line: position.line, column: 1)) else { return nil }
        let scalars = source.scalars
        var index = start
        while index + 1 < scalars.count, !"\n\r".unicodeScalars.contains(scalars[index]) {
            defer { index += 1 }
            guard scalars[index] == "$", scalars[index + 1] == "{" else { continue }
            if index > start, scalars[index - 1] == "\"" || scalars[index - 1] == "'" { continue }
            var end = index + 2
            while end < scalars.count, scalars[end] != "}", !"\n\r".unicodeScalars.contains(scalars[end]) { end += 1 }
            return String(String.UnicodeScalarView(scalars[(index + 2)..<end]))
        }
        return nil
    }
}

/// The scenario text as libyaml counts it: line breaks as in YAML 1.1 (LF, CR LF, CR, NEL, LS, PS)
/// and columns in Unicode scalars. Used to turn Yams's offsets into positions, and to rename a repeated
/// key in place without moving anything else.
struct SourceText {
    private(set) var scalars: [Unicode.Scalar]
    /// Index into `scalars` of the first scalar of each line.
    private let lineStarts: [Int]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
        var starts = [0]
        for (index, scalar) in scalars.enumerated() where SourceText.endsLine(at: index, scalar, in: scalars) {
            starts.append(index + 1)
        }
        lineStarts = starts
    }

    private static func endsLine(at index: Int, _ scalar: Unicode.Scalar, in scalars: [Unicode.Scalar]) -> Bool {
        switch scalar {
        case "\n", "\u{85}", "\u{2028}", "\u{2029}": return true
        case "\r": return index + 1 == scalars.count || scalars[index + 1] != "\n"
        default: return false
        }
    }

    var text: String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars)
        return String(result)
    }

    func offset(of position: SourcePosition) -> Int? {
        guard position.line >= 1, position.line <= lineStarts.count, position.column >= 1 else { return nil }
        let offset = lineStarts[position.line - 1] + position.column - 1
        return offset <= scalars.count ? offset : nil
    }

    func position(ofScalarOffset offset: Int) -> SourcePosition {
        let line = lineStarts.lastIndex { $0 <= offset } ?? 0
        return SourcePosition(line: line + 1, column: offset - lineStarts[line] + 1)
    }

    /// Yams reports reader errors as a distance in Characters from the start of the text.
    func position(ofCharacterOffset offset: Int, in text: String) -> SourcePosition {
        guard let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else {
            return position(ofScalarOffset: scalars.count)
        }
        return position(ofScalarOffset: text.unicodeScalars.distance(from: text.startIndex, to: index))
    }

    /// Replaces the key written at `position` (plain, or inside one pair of quotes) by as many copies of
    /// `replacement`, so every other position stays where it was. False when the text there is not
    /// simply the key (escapes, anchors, tags, multi-line keys).
    mutating func overwriteKey(_ key: String, at position: SourcePosition, with replacement: Unicode.Scalar) -> Bool {
        guard let start = offset(of: position) else { return false }
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty else { return false }
        let candidates = [start] + (isQuote(at: start) ? [start + 1] : [])
        for first in candidates where matches(keyScalars, at: first) {
            if first > start && (first + keyScalars.count >= scalars.count || scalars[first + keyScalars.count] != scalars[start]) {
                continue  // quoted, but the closing quote does not follow: the key was written with escapes
            }
            scalars.replaceSubrange(first..<first + keyScalars.count, with: repeatElement(replacement, count: keyScalars.count))
            return true
        }
        return false
    }

    private func isQuote(at offset: Int) -> Bool {
        offset < scalars.count && (scalars[offset] == "\"" || scalars[offset] == "'")
    }

    private func matches(_ key: [Unicode.Scalar], at offset: Int) -> Bool {
        offset + key.count <= scalars.count && Array(scalars[offset..<offset + key.count]) == key
    }
}

/// The scenario text as libyaml counts it: line breaks as in YAML 1.1 (LF, CR LF, CR, NEL, LS, PS)
/// and columns in Unicode scalars. Used to turn Yams's offsets into positions, and to overwrite repeated
/// keys in place without moving anything else (`KeyMasks`).
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
        // Binary search: masking repeated keys asks for thousands of positions in a large file.
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let line = low
        return SourcePosition(line: line + 1, column: offset - lineStarts[line] + 1)
    }

    /// Yams reports reader errors as a distance in Characters from the start of the text.
    func position(ofCharacterOffset offset: Int, in text: String) -> SourcePosition {
        guard let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else {
            return position(ofScalarOffset: scalars.count)
        }
        return position(ofScalarOffset: text.unicodeScalars.distance(from: text.startIndex, to: index))
    }

    /// Overwrites `range` by as many scalars (`replacement` has the same count), so no position moves.
    mutating func replace<Replacement: Collection>(_ range: Range<Int>, with replacement: Replacement)
    where Replacement.Element == Unicode.Scalar {
        scalars.replaceSubrange(range, with: replacement)
    }

    /// True when nothing but blanks and line breaks follows `position` (libyaml marks a missing
    /// closing bracket at the end of the file).
    func isPastLastToken(_ position: SourcePosition) -> Bool {
        guard let offset = offset(of: position) else { return true }
        return scalars[min(offset, scalars.count)...].allSatisfy { $0.properties.isWhitespace }
    }
}

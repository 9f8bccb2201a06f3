/// Overwrites repeated keys in a private copy of the scenario text so Yams composes the file anyway.
///
/// Every occurrence of a repeated name that looks like a key (`name:` at the start of a line, after
/// `- `, `{` or `,`, possibly quoted) gets its own run of private-use characters of the same length,
/// so no two masked keys are equal and no position moves. A look-alike that was not a key is put
/// back by `restore` once the composed document shows it.
struct KeyMasks {
    private(set) var source: SourceText
    private let original: SourceText
    /// Masked key positions (where the scalar starts: its quote, if quoted) and the name as written.
    private(set) var positions: [SourcePosition: String] = [:]
    /// Ranges of scalars overwritten for each masked position, to put them back.
    private var ranges: [SourcePosition: Range<Int>] = [:]
    private var masked: Set<String> = []
    private var nextMask = 0

    /// Private-use scalars U+E000…U+F8FF: the digits masks are written with.
    private static let base = 0x1900

    init(_ text: SourceText) {
        source = text
        original = text
    }

    private var maskedEveryKey = false

    /// Masks `names` (the repeated keys of one mapping) wherever they look like keys, and at least the
    /// occurrence Yams reported; with `everyKey`, every key-like word of the file, whatever its name
    /// (for files that repeat a different key in each of many mappings: one more composition, not one
    /// per mapping). False when nothing new could be masked: the caller reports the key.
    mutating func mask(names: [String], reportedAt position: SourcePosition, everyKey: Bool) -> Bool {
        let fresh = Set(names.filter { Self.isMaskable($0) && !masked.contains($0) })
        var changed = false
        if everyKey && !maskedEveryKey {
            maskedEveryKey = true
            for (range, quoted) in source.keyLikeRuns(named: nil) {
                changed = overwrite(range, keyStart: quoted ? range.lowerBound - 1 : range.lowerBound) || changed
            }
        } else if !fresh.isEmpty {
            masked.formUnion(fresh)
            for (range, quoted) in source.keyLikeRuns(named: fresh) {
                changed = overwrite(range, keyStart: quoted ? range.lowerBound - 1 : range.lowerBound) || changed
            }
        }
        if positions[position] == nil, let key = names.first, let range = source.keyRange(key, at: position),
           overwrite(range, keyStart: source.offset(of: position) ?? range.lowerBound) {
            changed = true
        }
        return changed
    }

    /// Puts back masks that were not keys.
    mutating func restore(_ notKeys: Set<SourcePosition>) {
        for position in notKeys {
            guard let range = ranges.removeValue(forKey: position) else { continue }
            positions[position] = nil
            source.replace(range, with: original.scalars[range])
        }
    }

    private mutating func overwrite(_ range: Range<Int>, keyStart: Int) -> Bool {
        guard let mask = Self.mask(number: nextMask, length: range.count) else { return false }
        let position = source.position(ofScalarOffset: keyStart)
        guard positions[position] == nil else { return false }
        nextMask += 1
        positions[position] = String(String.UnicodeScalarView(original.scalars[range]))
        ranges[position] = range
        source.replace(range, with: mask)
        return true
    }

    /// `number` in base 0x1900 over `length` private-use scalars; nil when it does not fit.
    private static func mask(number: Int, length: Int) -> [Unicode.Scalar]? {
        var digits: [Unicode.Scalar] = []
        var rest = number
        for _ in 0..<length {
            guard let digit = Unicode.Scalar(0xE000 + UInt32(rest % base)) else { return nil }
            digits.append(digit)
            rest /= base
        }
        return rest == 0 ? digits : nil
    }

    /// Names made only of characters that cannot change how YAML reads the text around them.
    static func isMaskable(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy(isNameScalar)
    }

    static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".": return true
        default: return false
        }
    }
}

extension SourceText {
    /// Runs of name characters equal to one of `names` (any, when nil) that look like a mapping key, in one pass:
    /// before them a line start, blank, `{` or `,` (with an optional quote), after them the same
    /// quote, optional blanks and a `:` that ends a key.
    func keyLikeRuns(named names: Set<String>?) -> [(range: Range<Int>, quoted: Bool)] {
        var runs: [(Range<Int>, Bool)] = []
        let lengths = names.map { Set($0.map(\.unicodeScalars.count)) }
        var index = 0
        while index < scalars.count {
            guard KeyMasks.isNameScalar(scalars[index]) else { index += 1; continue }
            var end = index
            while end < scalars.count, KeyMasks.isNameScalar(scalars[end]) { end += 1 }
            defer { index = end }
            guard lengths?.contains(end - index) ?? true else { continue }
            let quote = index > 0 && (scalars[index - 1] == "\"" || scalars[index - 1] == "'") ? scalars[index - 1] : nil
            let before = quote == nil ? index - 1 : index - 2
            guard before < 0 || " \t\n\r{,".unicodeScalars.contains(scalars[before]) else { continue }
            var after = end
            if let quote {
                guard after < scalars.count, scalars[after] == quote else { continue }
                after += 1
            }
            while after < scalars.count, scalars[after] == " " || scalars[after] == "\t" { after += 1 }
            guard after < scalars.count, scalars[after] == ":" else { continue }
            let next = after + 1
            guard next == scalars.count || " \t\n\r,}]".unicodeScalars.contains(scalars[next]) || quote != nil else { continue }
            guard names?.contains(String(String.UnicodeScalarView(scalars[index..<end]))) ?? true else { continue }
            runs.append((index..<end, quote != nil))
        }
        return runs
    }

    /// The scalars of `key` written at `position` (plain, or inside one pair of quotes); nil when the
    /// text there is not simply the key (escapes, anchors, tags, multi-line keys).
    func keyRange(_ key: String, at position: SourcePosition) -> Range<Int>? {
        guard let start = offset(of: position) else { return nil }
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty else { return nil }
        let isQuote = start < scalars.count && (scalars[start] == "\"" || scalars[start] == "'")
        for first in [start] + (isQuote ? [start + 1] : []) where matches(keyScalars, at: first) {
            if first > start && (first + keyScalars.count >= scalars.count || scalars[first + keyScalars.count] != scalars[start]) {
                continue  // quoted, but the closing quote does not follow: the key was written with escapes
            }
            return first..<first + keyScalars.count
        }
        return nil
    }

    private func matches(_ key: [Unicode.Scalar], at offset: Int) -> Bool {
        offset + key.count <= scalars.count && scalars[offset..<offset + key.count].elementsEqual(key)
    }
}

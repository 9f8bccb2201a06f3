/// "Did you mean …?" for misspelt keys, enum values, parameter and scenario names.
enum Suggestion {
    /// The candidates `word` was probably meant to be, best first; empty when nothing is close.
    ///
    /// A word that starts several candidates matches them all ("iptables" → the three iptables-*
    /// backends). Otherwise the candidate fewest edits away (ignoring case) wins, ties going to the
    /// earliest: within two edits, or one for words of four letters or fewer, where two edits can
    /// turn any word into another ("sctp" is not a typo for "tcp").
    static func candidates(for word: String, among candidates: [String]) -> [String] {
        let target = word.lowercased()
        if target.count >= 3 {
            let extended = candidates.filter { $0.lowercased().hasPrefix(target) && $0.lowercased() != target }
            if !extended.isEmpty { return extended }
        }
        let limit = target.count <= 4 ? 1 : 2
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            // More letters apart than the limit cannot be within it (and a pasted megabyte is not compared).
            guard abs(target.count - candidate.count) <= limit else { continue }
            let distance = editDistance(Array(target), Array(candidate.lowercased()))
            if distance <= limit, distance < best?.distance ?? Int.max { best = (candidate, distance) }
        }
        return best.map { [$0.candidate] } ?? []
    }

    /// "did you mean 'repeat'?", or `otherwise` when nothing is close.
    static func hint(for word: String, among candidates: [String], otherwise: String) -> String {
        let close = self.candidates(for: word, among: candidates).map { "'\($0)'" }
        guard let last = close.last else { return otherwise }
        let listed = close.count == 1 ? last : close.dropLast().joined(separator: ", ") + " or " + last
        return "did you mean \(listed)?"
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
    /// neighbours ("xpd" → "xdp" is one edit, the typo people actually make).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            previous2 = previous
            previous = current
        }
        return previous[b.count]
    }
}

/// "pair or routed", "one of tcp, udp, icmp, any": the choices, for messages.
func choiceList(_ choices: [String]) -> String {
    switch choices.count {
    case 0: return "nothing"
    case 1: return choices[0]
    case 2: return "\(choices[0]) or \(choices[1])"
    default: return "one of " + choices.joined(separator: ", ")
    }
}

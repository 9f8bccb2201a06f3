import Yams

/// One key of a mapping with its value, under the name the user wrote.
struct MappingEntry {
    let name: String
    let key: Node
    let value: Node
}

/// The entries of one mapping, in file order. A repeated key is reported at its repetition and its
/// later values are ignored; a key that is not a plain name (a list, a mapping) is reported and skipped.
struct MappingEntries {
    let entries: [MappingEntry]

    /// Mappings up to this size are searched in order rather than hashed: a rule has five keys, and a
    /// pasted firewall has 100k rules.
    static let linearSearchLimit = 16

    init(_ mapping: Node.Mapping, reader: ValueReader) {
        var entries: [MappingEntry] = []
        entries.reserveCapacity(mapping.count)
        let small = mapping.count <= Self.linearSearchLimit
        var firstUse: [String: SourcePosition] = [:]
        for (key, value) in mapping {
            guard let name = reader.document.keyName(key) else {
                reader.log.error("a key must be a plain name, got \(describeShape(key))", at: key.position)
                continue
            }
            let earlier = small ? entries.first { $0.name == name }?.key.position : firstUse[name]
            if let first = earlier {
                reader.log.error("duplicate key '\(excerpt(name))' (already set at \(first))", at: key.position)
                continue
            }
            if !small { firstUse[name] = key.position }
            entries.append(MappingEntry(name: name, key: key, value: value))
        }
        self.entries = entries
    }
}

/// A mapping checked against the keys it may hold: unknown keys are reported (with a suggestion),
/// required keys are looked up with a diagnostic at the mapping when missing.
struct MappingFields {
    let position: SourcePosition
    /// Present keys, in file order.
    var names: [String] { known.map(\.name) }
    private let known: [MappingEntry]
    /// Only for mappings too large to search in order.
    private let index: [String: MappingEntry]?
    /// "policy rule": says whose key is missing. nil at the top level, where it goes without saying.
    private let context: String?
    private let log: DiagnosticLog

    init(_ mapping: Node.Mapping, at position: SourcePosition, keys: [String], context: String?, reader: ValueReader) {
        // Usually every key is known: the entries are then kept as they are, without a copy.
        var known = MappingEntries(mapping, reader: reader).entries
        if known.contains(where: { !keys.contains($0.name) }) {
            known = known.filter { entry in
                guard keys.contains(entry.name) else {
                    let hint = Suggestion.hint(for: entry.name, among: keys, otherwise: "valid keys: " + keys.joined(separator: ", "))
                    reader.log.error("unknown key '\(excerpt(entry.name))' (\(hint))", at: entry.key.position)
                    return false
                }
                return true
            }
        }
        self.position = position
        self.known = known
        self.index = known.count > MappingEntries.linearSearchLimit ? Dictionary(uniqueKeysWithValues: known.map { ($0.name, $0) }) : nil
        self.context = context
        self.log = reader.log
    }

    private func entry(_ key: String) -> MappingEntry? {
        index.map { $0[key] } ?? known.first { $0.name == key }
    }

    subscript(key: String) -> Node? { entry(key)?.value }

    func keyPosition(_ key: String) -> SourcePosition? { entry(key)?.key.position }

    /// The key's value as `read` makes it, `fallback` when the key is absent, nil when it is present
    /// but invalid (already reported). For non-optional values: a nil from `read` must mean "invalid".
    func value<Value>(_ key: String, default fallback: Value, _ read: (Node) -> Value?) -> Value? {
        guard let node = self[key] else { return fallback }
        return read(node)
    }

    /// The value of a key the mapping must have; reports its absence at the mapping.
    func required(_ key: String) -> Node? {
        if let value = self[key] { return value }
        log.error("missing required key '\(key)'" + (context.map { " in \($0)" } ?? ""), at: position)
        return nil
    }
}

import Yams

/// Typed reads of YAML nodes, each reporting what it expected and what it got. A read that fails
/// returns nil after logging, so callers carry on and the file's other problems are found too.
///
/// `subject` is how the value is named in messages: "'repeat'", or "each 'lengths' entry".
struct ValueReader {
    let log: DiagnosticLog
    let document: YAMLDocument
    /// Placeholders are substituted only while reading `policy` and `workloads`.
    var substitution: Substitution

    func substituting(_ substitution: Substitution) -> ValueReader {
        var reader = self
        reader.substitution = substitution
        return reader
    }

    /// `expected` is built only for the message: reads run once per value of a 100k-rule file.
    func scalar(_ node: Node, _ subject: String, expected: @autoclosure () -> String) -> ScalarValue? {
        guard case .scalar(let scalar) = node else {
            log.error("\(subject) must be \(expected()), got \(describeShape(node))", at: node.position)
            return nil
        }
        return substitution.resolve(scalar)
    }

    /// Any non-empty scalar, as text.
    func text(_ node: Node, _ subject: String) -> ScalarValue? {
        guard let value = scalar(node, subject, expected: "text") else { return nil }
        guard !value.isNull, !value.text.isEmpty else {
            log.error("\(subject) must not be empty", at: value.site)
            return nil
        }
        return value
    }

    func integer(_ node: Node, _ subject: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = scalar(node, subject, expected: "an integer") else { return nil }
        return integer(value, subject, in: range)
    }

    func integer(_ value: ScalarValue, _ subject: String, in range: ClosedRange<Int>) -> Int? {
        guard value.isPlain, isIntegerText(value.text) else {
            let quotedNumber = isIntegerText(value.text) ? " (the quotes make it text)" : ""
            log.error("\(subject) must be an integer, got \(value.shown)\(quotedNumber)", at: value.site)
            return nil
        }
        // Digits that overflow Int are out of range too, whatever the range is.
        guard let number = Int(value.text), range.contains(number) else {
            log.error("\(subject) must be \(describe(range)), got \(excerpt(value.text))", at: value.site)
            return nil
        }
        return number
    }

    /// `true` or `false`, unquoted: a quoted "true" is text, and YAML 1.1's yes/no/on/off are refused
    /// rather than guessed at.
    func boolean(_ node: Node, _ subject: String) -> (value: Bool, site: Site)? {
        guard let value = scalar(node, subject, expected: "true or false") else { return nil }
        guard value.isPlain, value.text == "true" || value.text == "false" else {
            let quoted = value.isPlain ? "" : " (the quotes make it text)"
            log.error("\(subject) must be true or false, got \(value.shown)\(quoted)", at: value.site)
            return nil
        }
        return (value.text == "true", value.site)
    }

    /// One of an enumeration's raw values; `noun` names the kind in "unknown backend 'xpd'".
    func choice<Choice: RawRepresentable & CaseIterable>(_ node: Node, _ subject: String, noun: String) -> Choice?
    where Choice.RawValue == String {
        guard let value = scalar(node, subject, expected: choiceList(Choice.allCases.map(\.rawValue))) else { return nil }
        return choice(value, subject, noun: noun)
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ value: ScalarValue, _ subject: String, noun: String) -> Choice?
    where Choice.RawValue == String {
        if let choice = Choice(rawValue: value.text) { return choice }
        let names = Choice.allCases.map(\.rawValue)
        if value.isNull {
            log.error("\(subject) must be \(choiceList(names)), got an empty value", at: value.site)
            return nil
        }
        let hint = Suggestion.hint(for: value.text, among: names, otherwise: "expected \(choiceList(names))")
        log.error("unknown \(noun) '\(excerpt(value.text))' (\(hint))", at: value.site)
        return nil
    }

    func list(_ node: Node, _ subject: String, of items: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            log.error("\(subject) must be a list of \(items), got \(describeShape(node))", at: node.position)
            return nil
        }
        return Array(sequence)
    }

    func mapping(_ node: Node, _ subject: String, keys: [String], context: String?) -> MappingFields? {
        guard case .mapping(let mapping) = node else {
            log.error("\(subject) must be a mapping, got \(describeShape(node))", at: node.position)
            return nil
        }
        return MappingFields(mapping, at: node.position, keys: keys, context: context, reader: self)
    }

    private func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
    }
}

/// Decimal digits with an optional sign: the only integers a scenario takes (no 0x, no 1_000).
func isIntegerText(_ text: String) -> Bool {
    let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : text[...]
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
}

/// "'repeat'": a key named in a message.
func subject(_ key: String) -> String { "'\(key)'" }

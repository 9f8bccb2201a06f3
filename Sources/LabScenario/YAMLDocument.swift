import Yams

/// A scenario file composed into Yams nodes, each carrying its line and column.
///
/// Yams refuses a mapping with a repeated key: it throws at the first one and composes nothing, so
/// one repeated key would hide every other problem in the file. To keep reading, keys are overwritten
/// in a private copy of the text by private-use characters of the same length (positions do not
/// move) and the text is composed again. The walker then sees every key under its written name
/// (`keyName`) and reports repetitions like any other problem.
///
/// Composing again once per repeated key made 500 repetitions cost seconds (the whole file is
/// composed each time), so every key-like occurrence of a repeated name is masked in one go
/// (`KeyMasks`), and when a second mapping repeats a key, every key-like word of the file is: a
/// handful of compositions whatever the file (`maximumRounds` is a backstop). A mask that turned
/// out not to be a key (the same word inside a quoted value or a block scalar) is found by
/// `DocumentCensus` and put back.
struct YAMLDocument {
    /// nil for a file with no document (empty, or only comments).
    let root: Node?
    /// Keys overwritten to get past Yams's duplicate check: their position and the key as written.
    let maskedKeys: [SourcePosition: String]

    /// The key as the user wrote it; nil when the key is not a scalar.
    func keyName(_ key: Node) -> String? {
        guard case .scalar(let scalar) = key else { return nil }
        return maskedKeys.isEmpty ? scalar.string : maskedKeys[key.position] ?? scalar.string
    }

    /// Compositions before giving up on a file with ever more repeated keys: each costs a full parse.
    static let maximumRounds = 40

    /// Composes `text`; nil (with the reason logged) when it is not readable YAML, repeats keys in a
    /// way masking cannot get past, or expands its aliases past `DocumentCensus.aliasBudget`.
    static func compose(_ text: String, log: DiagnosticLog) -> YAMLDocument? {
        // Built at the first repeated key only: a big file without one is composed as it is.
        var masks: KeyMasks?
        var duplicateRounds = 0
        for _ in 0..<maximumRounds {
            let root: Node?
            do {
                // The basic resolver: keys are compared as written text, and the default one matches every
                // scalar against half a dozen regular expressions (a third of the time of a big file).
                root = try Yams.compose(yaml: masks?.source.text ?? text, .basic)
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                // Yams names the repeated keys of one mapping, sorted, and marks the first one's first use.
                let position = SourcePosition(context.mark)
                var current = masks ?? KeyMasks(SourceText(text))
                duplicateRounds += 1
                // A second mapping with its own repeated key: mask every key at once from here on.
                guard current.mask(names: duplicates, reportedAt: position, everyKey: duplicateRounds > 1) else {
                    log.error("duplicate key '\(excerpt(duplicates.first ?? ""))'", at: position)
                    return nil
                }
                masks = current
                continue
            } catch {
                YAMLErrorReport.log(error, source: SourceText(text), text: text, into: log)
                return nil
            }
            guard let root else { return YAMLDocument(root: nil, maskedKeys: [:]) }
            let masked = masks?.positions ?? [:]
            let census = DocumentCensus(masked: Set(masked.keys), tracksAliases: text.utf8.contains(UInt8(ascii: "&")))
            guard census.run(root, log: log) else { return nil }
            // Masks that were not keys changed a value: put them back and compose again.
            if census.unconfirmed.isEmpty { return YAMLDocument(root: root, maskedKeys: masked) }
            masks?.restore(census.unconfirmed)
        }
        log.error("too many repeated keys to read past: remove the repeated keys reported so far and validate again",
                  at: masks?.positions.keys.min() ?? .start)
        return nil
    }
}

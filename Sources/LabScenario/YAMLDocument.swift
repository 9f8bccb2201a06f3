import Yams

/// A scenario file composed into Yams nodes, each carrying its line and column.
///
/// Yams refuses a mapping with a repeated key: it throws at the first one and composes nothing, so
/// one repeated key would hide every other problem in the file. To keep reading, the first occurrence
/// of the repeated key is overwritten in a private copy of the text by private-use characters of the
/// same length (positions do not move) and the text is composed again. The walker then sees both
/// keys, under their written names (`keyName`), and reports the repetition like any other problem.
struct YAMLDocument {
    /// nil for a file with no document (empty, or only comments).
    let root: Node?
    /// Keys overwritten to get past Yams's duplicate check: their position and the key as written.
    let maskedKeys: [SourcePosition: String]

    /// The key as the user wrote it; nil when the key is not a scalar.
    func keyName(_ key: Node) -> String? {
        guard case .scalar(let scalar) = key else { return nil }
        return maskedKeys[key.position] ?? scalar.string
    }

    /// Private-use scalars U+E000…U+F8FF: one per masked key, so masked keys never collide.
    private static let maskLimit = 0x1900

    /// Composes `text`; nil (with the reason logged) when it is not readable YAML.
    static func compose(_ text: String, log: DiagnosticLog) -> YAMLDocument? {
        var source = SourceText(text)
        var masked: [SourcePosition: String] = [:]
        while true {
            do {
                return YAMLDocument(root: try Yams.compose(yaml: source.text), maskedKeys: masked)
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                // Yams names the repeated keys of one mapping, sorted, and marks the first one's first use.
                let key = duplicates.first ?? ""
                let position = SourcePosition(context.mark)
                let mask = Unicode.Scalar(0xE000 + UInt32(masked.count))
                guard masked.count < maskLimit, let mask, source.overwriteKey(key, at: position, with: mask) else {
                    log.error("duplicate key '\(key)'", at: position)
                    return nil
                }
                masked[position] = key
            } catch {
                YAMLErrorReport.log(error, source: SourceText(text), text: text, into: log)
                return nil
            }
        }
    }
}

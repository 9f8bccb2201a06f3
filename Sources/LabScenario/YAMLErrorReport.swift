import Yams

/// Turns a Yams error into one diagnostic at libyaml's position. Yams's own description is several
/// lines with a source snippet; the diagnostic keeps libyaml's problem text and its context
/// ("while parsing a flow sequence") with where that context started.
enum YAMLErrorReport {
    static func log(_ error: any Error, source: SourceText, text: String, into log: DiagnosticLog) {
        guard let yaml = error as? YamlError else {
            log.error("cannot read the file as YAML: \(error)", at: .start)
            return
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let (message, position) = syntaxMessage(problem: problem, context: context, at: SourcePosition(mark), source: source)
            log.error(message + PlaceholderHint.text(near: [position, context.map { SourcePosition($0.mark) }], in: source), at: position)
        case .composer(let context, let problem, let mark, _):
            log.error(composerMessage(problem: problem, context: context), at: SourcePosition(mark))
        case .reader(let problem, let offset, let value, _):
            let position = offset.map { source.position(ofCharacterOffset: $0, in: text) } ?? .start
            let character = value >= 0 ? " (U+\(hex(value)))" : ""
            log.error("YAML cannot read this character: \(problem)\(character)", at: position)
        default:
            log.error("cannot read the file as YAML: \(yaml)", at: .start)
        }
    }

    /// libyaml's words, and its position, translated where they mislead: a quote or bracket left open
    /// is reported where it opens (libyaml notices only at the end of the file), and the nesting
    /// limit in the lab's words rather than the C function that sets it.
    private static func syntaxMessage(problem: String, context: YamlError.Context?, at position: SourcePosition,
                                      source: SourceText) -> (String, SourcePosition) {
        // libyaml's word for a tab in the indentation is "character that cannot start any token".
        let isTab = source.offset(of: position).map { $0 < source.scalars.count && source.scalars[$0] == "\t" } ?? false
        if isTab { return ("YAML syntax error: tabs cannot indent YAML; use spaces", position) }
        if problem.hasPrefix("Maximum nesting level reached") {
            return ("YAML syntax error: lists and mappings nest more than \(maximumNesting) levels deep here; "
                    + "a scenario needs only a few", position)
        }
        // At the end of the file the problem is whatever was left open, and that is where to look.
        if let context, problem == "found unexpected end of stream" || source.isPastLastToken(position) {
            let opened = SourcePosition(context.mark)
            switch context.text {
            case "while scanning a quoted scalar":
                return ("YAML syntax error: this quoted value is never closed (the file ends before its closing quote)", opened)
            case "while parsing a flow mapping":
                return ("YAML syntax error: this '{' is never closed (the file ends before its '}')", opened)
            case "while parsing a flow sequence":
                return ("YAML syntax error: this '[' is never closed (the file ends before its ']')", opened)
            default:
                break
            }
        }
        return ("YAML syntax error: \(problem)\(describe(context))", position)
    }

    /// libyaml's limit on nested collections (`MAX_NESTING_LEVEL` in its parser).
    static let maximumNesting = 1000

    private static func composerMessage(problem: String, context: YamlError.Context?) -> String {
        if problem == "but found another document" {
            return "a scenario file holds one YAML document, but a second one starts here"
        }
        return "YAML error: \(problem)\(describe(context))"
    }

    private static func describe(_ context: YamlError.Context?) -> String {
        guard let context, !context.text.isEmpty, context.text != "while parsing" else { return "" }
        return " (\(context.text) that starts at \(SourcePosition(context.mark)))"
    }

    private static func hex(_ value: Int32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

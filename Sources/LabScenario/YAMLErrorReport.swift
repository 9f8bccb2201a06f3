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
            let position = SourcePosition(mark)
            // libyaml's word for a tab in the indentation is "character that cannot start any token".
            let isTab = source.offset(of: position).map { $0 < source.scalars.count && source.scalars[$0] == "\t" } ?? false
            let message = isTab ? "YAML syntax error: tabs cannot indent YAML; use spaces" : "YAML syntax error: \(problem)\(describe(context))"
            log.error(message, at: position)
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

    private static func composerMessage(problem: String, context: YamlError.Context?) -> String {
        if problem == "but found another document" {
            return "a scenario file holds one YAML document, but a second one starts here"
        }
        return "YAML error: \(problem)\(describe(context))"
    }

    private static func describe(_ context: YamlError.Context?) -> String {
        guard let context else { return "" }
        return " (\(context.text) that starts at \(SourcePosition(context.mark)))"
    }

    private static func hex(_ value: Int32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

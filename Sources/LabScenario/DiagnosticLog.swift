import Yams

/// A place in the scenario text (1-based line, and column in Unicode scalars like libyaml's marks).
struct SourcePosition: Hashable, Comparable, CustomStringConvertible {
    var line: Int
    var column: Int

    static let start = SourcePosition(line: 1, column: 1)

    /// Yams marks every composed node; a missing mark can only come from a hand-built node.
    init(_ mark: Mark?) {
        self.init(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.line, lhs.column) < (rhs.line, rhs.column) }

    var description: String { "\(line):\(column)" }
}

extension Node {
    var position: SourcePosition { SourcePosition(mark) }
}

/// Where to blame a value. A value that came from a sweep parameter is blamed on the parameter's
/// value (that is what the user must change), with a note saying where it was used.
struct Site: Hashable {
    var position: SourcePosition
    /// Appended to the message, e.g. "(parameter 'rules' value used at quick.yaml:14:12)".
    var note: String?

    init(_ position: SourcePosition, note: String? = nil) {
        self.position = position
        self.note = note
    }

    var isSubstituted: Bool { note != nil }
}

/// Collects diagnostics while a scenario is read. A sweep reads the parameterised sections once per
/// point, so the same problem can be found many times; it is recorded once.
final class DiagnosticLog {
    let path: String
    private(set) var diagnostics: [Diagnostic] = []
    private var seen: Set<Diagnostic> = []

    init(path: String) {
        self.path = path
    }

    var isEmpty: Bool { diagnostics.isEmpty }

    func error(_ message: String, at site: Site) {
        let text = site.note.map { "\(message) \($0)" } ?? message
        let diagnostic = Diagnostic(path: path, line: site.position.line, column: site.position.column, message: text)
        if seen.insert(diagnostic).inserted { diagnostics.append(diagnostic) }
    }

    func error(_ message: String, at position: SourcePosition) {
        error(message, at: Site(position))
    }

    /// "quick.yaml:14:12", for notes that point at a second place.
    func location(_ position: SourcePosition) -> String { "\(path):\(position)" }

    var scenarioError: ScenarioError { ScenarioError(diagnostics) }
}

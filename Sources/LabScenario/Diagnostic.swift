import LabSystem

/// One problem in a scenario file, located the way compilers locate theirs (`path:line:column: message`)
/// so editors and CI logs can jump straight to it. Lines and columns start at 1; columns count Unicode
/// scalars, as libyaml does.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(path: String, line: Int, column: Int, message: String) {
        self.path = path
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(path):\(line):\(column): \(message)" }
}

/// Everything wrong with one scenario file, found in one pass so the user fixes the file once rather
/// than once per error. Diagnostics are in file order (ties keep the order they were found in).
public struct ScenarioError: LabError, Equatable {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.enumerated()
            .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map(\.element)
    }

    public var exitStatus: ExitStatus { .badInput }

    /// One line per diagnostic, `path:line:column: message`. Print it as is: `Error.oneLine` would fold
    /// the lines into one.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

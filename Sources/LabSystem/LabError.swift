/// What a failure means to the person or CI job that ran benchlab: each kind has its own exit status,
/// documented in README ("Exit codes"), so scripts can tell bad input from a missing kernel feature
/// from a performance regression.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    /// A bug or an unexpected environment failure.
    case failure = 1
    /// Bad command line or scenario file.
    case badInput = 2
    /// Not root / missing capability.
    case notPermitted = 3
    /// A tool or kernel feature the command needs is missing.
    case missingFeature = 4
    /// The run finished but at least one case failed (its reason is in run.json and the report).
    case caseFailures = 5
    /// `compare` found a regression beyond the threshold and outside the noise.
    case regression = 6
    /// `compare` could not find or read the baseline.
    case baselineMissing = 7
    /// `compare` baseline exists but cannot be compared (other scenario, other schema).
    case baselineIncompatible = 8
    /// Stopped by SIGINT or SIGTERM; teardown ran.
    case interrupted = 130
}

/// An error that knows how to present itself to a user on one line, and which exit status it maps to.
public protocol LabError: Error, CustomStringConvertible, Sendable {
    var exitStatus: ExitStatus { get }
}

/// A plain message error for a given category; use a dedicated type when callers need to branch on it.
public struct LabFailure: LabError {
    public let message: String
    public let exitStatus: ExitStatus
    public init(_ message: String, exitStatus: ExitStatus = .failure) {
        self.message = message
        self.exitStatus = exitStatus
    }
    public var description: String { message }
}

/// The run was interrupted by a signal; teardown has run (or is running) when this surfaces.
public struct Interrupted: LabError {
    public let signal: Int32
    public init(signal: Int32) { self.signal = signal }
    public var exitStatus: ExitStatus { .interrupted }
    public var description: String { "interrupted by signal \(signal); the lab was torn down" }
}

extension Error {
    /// One line for the user: a LabError's own description, anything else prefixed with its type.
    public var oneLine: String {
        let text: String
        if let lab = self as? any LabError { text = lab.description } else { text = String(describing: self) }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var exitStatus: ExitStatus { (self as? any LabError)?.exitStatus ?? .failure }
}

import LabSystem

/// The backend cannot express this policy or does not exist on this host; the case is reported as
/// "not supported by X", never silently skipped.
public struct BackendUnsupported: LabError {
    public let backend: BackendKind
    public let reason: String
    public init(_ backend: BackendKind, _ reason: String) {
        self.backend = backend
        self.reason = reason
    }
    public var exitStatus: ExitStatus { .missingFeature }
    public var description: String { "not supported by \(backend.rawValue): \(reason)" }
}

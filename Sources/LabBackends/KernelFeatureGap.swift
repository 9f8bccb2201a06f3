import LabSystem

/// Turns "this kernel lacks the feature" into `BackendUnsupported`, so the runner marks the case
/// skipped with the reason instead of failing it (or, worse, measuring something else). Every
/// feature failure already says so through its exit status — `NetfilterToolError` for a missing
/// table, hook or match, `BPFError` for EOPNOTSUPP/ENOTSUPP, including native XDP that the kernel
/// reports in another mode — so one mapping covers every backend's install.
enum KernelFeatureGap {
    /// Runs `body`; an error whose exit status is `.missingFeature` becomes `BackendUnsupported(kind, …)`
    /// carrying the error's own line. Any other error (and a missing tool) passes through unchanged.
    static func unsupported<T>(_ kind: BackendKind, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as BackendUnsupported {
            throw error
        } catch let error as ToolMissing {
            // A missing program is the host's setup, not the kernel: it keeps its own message.
            throw error
        } catch let error as any LabError where error.exitStatus == .missingFeature {
            throw BackendUnsupported(kind, "not available on this kernel: \(error.oneLine)")
        }
    }
}

import LabTopology

/// What the netfilter backends share beyond `FilterBackend`: their install is a list of bulk loads
/// that can be replayed by hand, and their state lives in the namespace itself, so it can be found
/// and removed without any memory of an install (tests load by hand and remove with this).
public protocol NetfilterBackend: FilterBackend {
    /// The exact loads `install` runs, in order.
    func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad]

    /// Removes whatever this backend put at `point`, as found in the kernel. Idempotent.
    func remove(at point: FilterPoint) throws
}

import LabPolicy
import LabTopology

/// The baseline of every comparison: no filter at all. It still behaves like a backend so the runner
/// treats all cases alike; what it enforces is, by definition, "allow everything".
public final class NoneBackend: FilterBackend {
    public init() {}
    public var kind: BackendKind { .none }
    public func compile(_ policy: Policy) throws -> BackendArtifact {
        BackendArtifact(kind: "txt", text: "# none: no filter installed; every packet is allowed\n")
    }
    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        NoneInstallation(point: point)
    }
}

/// Nothing installed: no time, no counters, nothing to update or remove.
final class NoneInstallation: Installation {
    let point: FilterPoint
    init(point: FilterPoint) { self.point = point }
    var backend: BackendKind { .none }
    var installMilliseconds: Double? { nil }
    var enforcedPolicy: Policy { .allowAll }
    func update(adding rule: Rule) throws -> Double? { nil }
    func counters() throws -> FilterCounters { FilterCounters(allowedPackets: 0, deniedPackets: 0) }
    var gates: [String: String] { [DropPoint.gate: DropPoint.application] }
    func remove() throws {}
}

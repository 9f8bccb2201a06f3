import LabPolicy
import LabSystem
import LabTopology

/// iptables as most rulesets are written: a jump from FORWARD/INPUT to one user chain holding one
/// rule per policy rule, in order, then the default verdict. Every packet walks the chain until a
/// rule matches, so the cost grows with the rule count: the real-world baseline eBPF is compared to.
public final class IptablesBackend: NetfilterBackend {
    public let variant: IptablesVariant
    private var chain: IptablesPolicyChain { IptablesPolicyChain(variant: variant) }

    public init(variant: IptablesVariant) {
        self.variant = variant
    }

    public var kind: BackendKind { variant.backendKind }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        try NetfilterSupport.check(policy, for: kind)
        let comment = [
            "benchlab \(kind.rawValue): \(policy.rules.count) rules, default \(policy.defaultAction.rawValue)\(policy.isStateful ? ", stateful" : "")",
            "load: \(variant.restoreTool) -w --noflush; install adds " + IptablesRestoreFile.attachmentSummary(stateful: policy.isStateful),
        ]
        return BackendArtifact(kind: "rules", text: IptablesRestoreFile.policyChain(.linear(policy), comment: comment,
                                                                                    stateful: policy.isStateful))
    }

    /// The exact loads `install` runs, for inspection and for replaying by hand.
    public func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad] {
        [try chain.install(artifact.text, at: point)]
    }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        try NetfilterSupport.check(policy, at: point, for: kind)
        let loads = try installLoads(artifact, at: point)
        var gates = try chain.gates(in: point.namespace)
        gates.merge(try NetfilterSupport.conntrackGates(policy, at: point)) { $1 }
        let milliseconds = try loads.reduce(0) { $0 + (try $1.run(in: point.namespace)) }
        return try IptablesInstallation(chain: chain, point: point, policy: policy, gates: gates, installMilliseconds: milliseconds)
    }

    /// Removes the chain and its jumps as found in the kernel, with no memory of an install (tests
    /// load by hand and remove with this). Idempotent.
    public func remove(at point: FilterPoint) throws {
        try chain.remove(at: point)
    }
}

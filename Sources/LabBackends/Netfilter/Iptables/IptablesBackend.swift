import LabPolicy
import LabSystem
import LabTopology

/// iptables as most rulesets are written: a jump to one user chain holding one rule per policy
/// rule, in order, then the default verdict. Every packet walks the chain until a rule matches, so
/// the cost grows with the rule count: the real-world baseline eBPF is compared to. The placement
/// says where the chain is hooked: filter FORWARD/INPUT (`iptables-legacy`, `iptables-nft`), raw
/// PREROUTING before conntrack (`iptables-raw`), or filter with the ingress side untracked
/// (`iptables-notrack`) — the same chain at each rung of the drop-point ladder.
public final class IptablesBackend: NetfilterBackend {
    public let variant: IptablesVariant
    public let placement: IptablesPlacement
    private var chain: IptablesPolicyChain { IptablesPolicyChain(variant: variant, placement: placement) }

    public init(variant: IptablesVariant, placement: IptablesPlacement = .filter) {
        self.variant = variant
        self.placement = placement
    }

    public var kind: BackendKind { chain.backendKind }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        try NetfilterSupport.check(policy, for: kind)
        if policy.isStateful && !placement.supportsState {
            throw BackendUnsupported(kind, "the policy is stateful; \(kind.rawValue) drops before connection state exists "
                                     + "(a stateless rung of the drop-point ladder): use iptables-legacy or iptables-nft")
        }
        let comment = [
            "benchlab \(kind.rawValue): \(policy.rules.count) rules, default \(policy.defaultAction.rawValue)\(policy.isStateful ? ", stateful" : "")",
            "load: \(variant.restoreTool) -w --noflush; install adds "
                + IptablesRestoreFile.attachmentSummary(stateful: policy.isStateful, placement: placement),
        ]
        return BackendArtifact(kind: "rules", text: IptablesRestoreFile.policyChain(.linear(policy), comment: comment,
                                                                                    stateful: policy.isStateful, table: placement.table))
    }

    /// The exact loads `install` runs, for inspection and for replaying by hand.
    public func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad] {
        [try chain.install(artifact.text, at: point)]
    }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        try NetfilterSupport.check(policy, at: point, for: kind)
        let loads = try installLoads(artifact, at: point)
        var gates = try chain.gates(in: point.namespace, at: point)
        gates.merge(try NetfilterSupport.conntrackGates(policy, at: point)) { $1 }
        let milliseconds: Double
        do {
            milliseconds = try KernelFeatureGap.unsupported(kind) { try loads.reduce(0) { $0 + (try $1.run(in: point.namespace)) } }
        } catch {
            // With NOTRACK the file holds two tables, committed one after the other: the filter
            // chain may be in when the raw rule is refused.
            try? remove(at: point)
            throw error
        }
        return try IptablesInstallation(chain: chain, point: point, policy: policy, gates: gates, installMilliseconds: milliseconds)
    }

    /// Removes the chain and its jumps as found in the kernel, with no memory of an install (tests
    /// load by hand and remove with this). Idempotent.
    public func remove(at point: FilterPoint) throws {
        try chain.remove(at: point)
    }
}

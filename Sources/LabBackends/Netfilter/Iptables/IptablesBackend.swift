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
        if placement != .filter {
            try NetfilterSNATSupport.refuse(policy, for: kind, because: "\(kind.rawValue) is a drop point of the filter ladder "
                                            + "(\(placement.dropPoint(FilterPoint(namespace: "", ingressInterface: "<ingress>", egressInterface: nil, hook: .forward)))); "
                                            + "translation belongs in nat POSTROUTING: use iptables-legacy or iptables-nft")
        }
        if let layout = try NetfilterSNATSupport.layout(policy, for: kind) { return compileSNAT(layout) }
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

    /// An egress gateway's SNAT: the nat and filter chains of `IptablesSNATFile`, one restore file.
    private func compileSNAT(_ layout: SNATLayout) -> BackendArtifact {
        let comment = [
            "benchlab \(kind.rawValue) SNAT: " + layout.summary,
            "load: \(variant.restoreTool) -w --noflush; install adds " + IptablesSNATFile.attachmentSummary,
        ]
        return BackendArtifact(kind: "rules", text: IptablesSNATFile.ruleset(layout, comment: comment))
    }

    /// The exact loads `install` runs, for inspection and for replaying by hand.
    public func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad] {
        if artifact.text.contains("\n:\(IptablesSNATFile.natChain) - [0:0]\n") {
            let egress = try NetfilterSNATSupport.check(at: point, for: kind)
            guard let text = IptablesSNATFile.attaching(artifact.text, egress: egress) else {
                throw LabFailure("\(kind.rawValue): the SNAT artifact is not a nat table followed by a filter table")
            }
            return [IptablesSNATRuleset(variant: variant).load(text)]
        }
        return [try chain.install(artifact.text, at: point)]
    }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        if let layout = try NetfilterSNATSupport.layout(policy, for: kind) { return try installSNAT(artifact, layout: layout, policy: policy, at: point) }
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

    private func installSNAT(_ artifact: BackendArtifact, layout: SNATLayout, policy: Policy, at point: FilterPoint) throws -> any Installation {
        let ruleset = IptablesSNATRuleset(variant: variant)
        let loads = try installLoads(artifact, at: point)
        let gates = try ruleset.gates(at: point, layout: layout)
        do {
            let milliseconds = try KernelFeatureGap.unsupported(kind) { try loads.reduce(0) { $0 + (try $1.run(in: point.namespace)) } }
            return try NetfilterSNATInstallation(ruleset: ruleset, point: point, policy: policy, gates: gates, installMilliseconds: milliseconds)
        } catch {
            // Two tables, committed one after the other: nat may be in when filter is refused.
            try? ruleset.remove(at: point)
            throw error
        }
    }

    /// Removes the chain and its jumps as found in the kernel, with no memory of an install (tests
    /// load by hand and remove with this). Idempotent.
    public func remove(at point: FilterPoint) throws {
        try chain.remove(at: point)
        if placement == .filter { try IptablesSNATRuleset(variant: variant).remove(at: point) }
    }
}

import LabNetwork
import LabPolicy
import LabSystem
import LabTopology

/// Native nftables: one table, one atomic `nft -f -` transaction. Clauses with several source
/// prefixes match an interval set (one lookup, whatever its size); the rest are plain rules in
/// policy order. Install and update are timed around `nft -f`, the path every nftables user takes:
/// libnftables parses the script and sends one netlink batch, so the time includes what an operator
/// waits for (parsing, set element sorting and merging, the kernel commit) and nothing else. A
/// hand-written libnftnl batch would skip the parser, which no operator does. The placement says
/// where the base chain hooks: filter forward/input (`nftables`), prerouting at raw priority
/// (`nftables-prerouting`) or netdev ingress (`nftables-ingress`).
public final class NftablesBackend: NetfilterBackend {
    public let placement: NftablesPlacement

    public init(placement: NftablesPlacement = .filter) {
        self.placement = placement
    }

    public var kind: BackendKind { placement.backendKind }

    func layout(_ policy: Policy) -> ChainLayout {
        .withSets(policy) { NftablesScript.setName(clause: $0.index) }
    }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        if placement != .filter {
            try NetfilterSNATSupport.refuse(policy, for: kind, because: "\(kind.rawValue) is a drop point of the filter ladder "
                                            + "(\(placement.hookSummary)); translation belongs in a nat chain at postrouting: use nftables")
        }
        if let layout = try NetfilterSNATSupport.layout(policy, for: kind) { return compileSNAT(layout) }
        try NetfilterSupport.check(policy, for: kind)
        if policy.isStateful && !placement.supportsState {
            throw BackendUnsupported(kind, "the policy is stateful; \(kind.rawValue) drops before connection state exists "
                                     + "(a stateless rung of the drop-point ladder): use nftables")
        }
        let layout = layout(policy)
        let stateful = policy.isStateful
        let attachment = stateful
            ? "the state chain's interface rules (iifname <ingress> ct state new jump \(NftablesScript.policyChain); iifname <egress> drop) "
                + "and the base chain \(NftablesScript.hookChain) (hook forward, jump \(NftablesScript.stateChain))"
            : "the base chain \(NftablesScript.hookChain) (\(placement.hookSummary) jump \(NftablesScript.policyChain))"
        let comment = [
            "benchlab \(kind.rawValue): \(policy.rules.count) rules in \(layout.rules.count) chain rules, \(layout.sets.count) sets, default \(policy.defaultAction.rawValue)"
                + (stateful ? ", stateful" : ""),
            "load: nft -f -; install adds \(attachment)",
        ]
        return BackendArtifact(kind: "nft", text: NftablesScript.policy(layout, comment: comment, stateful: stateful, family: placement.family))
    }

    /// An egress gateway's SNAT: the `blnat` table of `NftablesSNATScript`.
    private func compileSNAT(_ layout: SNATLayout) -> BackendArtifact {
        let comment = [
            "benchlab \(kind.rawValue) SNAT: " + layout.summary,
            "load: nft -f -; install adds " + NftablesSNATScript.attachmentSummary,
        ]
        return BackendArtifact(kind: "nft", text: NftablesSNATScript.ruleset(layout, comment: comment))
    }

    static func isSNAT(_ artifact: BackendArtifact) -> Bool {
        artifact.text.contains("\ntable \(NftablesSNATScript.family) \(NftablesSNATScript.table) {\n")
    }

    /// The exact load `install` runs: the policy and its base chain in one transaction.
    public func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad] {
        if Self.isSNAT(artifact) {
            return [Self.nft(artifact.text + NftablesSNATScript.attachment(egress: try NetfilterSNATSupport.check(at: point, for: kind)))]
        }
        return [Self.nft(artifact.text + NftablesScript.attachment(at: point, stateful: NftablesScript.isStateful(artifact.text), placement: placement))]
    }

    static func nft(_ script: String) -> BulkLoad { BulkLoad(tool: "nft", arguments: ["-f", "-"], input: script) }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        if let layout = try NetfilterSNATSupport.layout(policy, for: kind) {
            let loads = try installLoads(artifact, at: point)
            let version = ToolVersion(try NetfilterQuery.run("nft", ["--version"], in: point.namespace))
            let gates = ["nft_version": version.version ?? "unknown", "nft_family": NftablesSNATScript.family,
                         "snat": "nftables " + NftablesSNATScript.statement(layout, ports: true),
                         DropPoint.gate: "nftables filter hook forward priority 0, oifname \(point.egressInterface ?? "?")"]
            let milliseconds = try KernelFeatureGap.unsupported(kind) { try loads.reduce(0) { $0 + (try $1.run(in: point.namespace)) } }
            return try NetfilterSNATInstallation(ruleset: NftablesSNATRuleset(), point: point, policy: policy, gates: gates,
                                                 installMilliseconds: milliseconds)
        }
        try NetfilterSupport.check(policy, at: point, for: kind)
        let version = ToolVersion(try NetfilterQuery.run("nft", ["--version"], in: point.namespace))
        var gates = ["nft_version": version.version ?? "unknown", "nft_family": placement.family,
                     DropPoint.gate: placement.dropPoint(point)]
        gates.merge(try NetfilterSupport.conntrackGates(policy, at: point)) { $1 }
        let milliseconds = try KernelFeatureGap.unsupported(kind) {
            try installLoads(artifact, at: point).reduce(0) { $0 + (try $1.run(in: point.namespace)) }
        }
        return try NftablesInstallation(point: point, policy: policy, placement: placement, layout: layout(policy), gates: gates,
                                        installMilliseconds: milliseconds)
    }

    /// Deletes the lab's table, with no memory of an install. Idempotent.
    public func remove(at point: FilterPoint) throws {
        try Self.nft(NftablesScript.removal(family: placement.family)).run(in: point.namespace)
        if placement == .filter { try NftablesSNATRuleset().remove(at: point) }
    }
}

import LabPolicy
import LabSystem
import LabTopology

/// iptables as an expert writes it for big address lists: each clause with several source prefixes
/// matches one ipset `hash:net` (one hash lookup per prefix length present, whatever the list size)
/// instead of one rule per prefix. Sets are loaded with one `ipset restore`, the chain with one
/// `iptables-nft-restore`.
///
/// The nft front end, not legacy: it is what current distributions install as `iptables` (Debian
/// since 10, RHEL since 8), so it is the stack an operator adding ipset actually runs; `-m set`
/// reaches the same xt_set match through nft_compat either way.
public final class IptablesIpsetBackend: NetfilterBackend {
    /// Distinguishes this instance's sets from any other in a namespace; fixed for golden tests.
    public let tag: String
    private let chain = IptablesPolicyChain(variant: .nft)

    public init(tag: String = LabNames.newID()) {
        precondition(!tag.isEmpty && tag.utf8.count <= 12, "an ipset tag has 1 to 12 characters")
        self.tag = tag
    }

    public var kind: BackendKind { .iptablesIpset }

    func layout(_ policy: Policy) -> ChainLayout {
        .withSets(policy) { IpsetRestoreFile.setName(tag: tag, clause: $0.index) }
    }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        try NetfilterSNATSupport.refuse(policy, for: kind, because: "ipset only speeds up the filter's source match; the translation is "
                                        + "the same nat-table MASQUERADE/SNAT either way, and a handful of egress prefixes needs no hash: use iptables-nft")
        try NetfilterSupport.check(policy, for: kind)
        let layout = layout(policy)
        let comment = [
            "benchlab iptables-ipset: \(policy.rules.count) rules in \(layout.rules.count) chain rules, \(layout.sets.count) sets, default \(policy.defaultAction.rawValue)"
                + (policy.isStateful ? ", stateful" : ""),
            "install adds " + IptablesRestoreFile.attachmentSummary(stateful: policy.isStateful),
        ]
        let artifact = IptablesIpsetArtifact(ipset: IpsetRestoreFile.restoreText(layout.sets),
                                             iptables: IptablesRestoreFile.policyChain(layout, comment: comment, stateful: policy.isStateful))
        return BackendArtifact(kind: "ipset", text: artifact.text)
    }

    /// The exact loads `install` runs, in order: the sets must exist before a rule names them.
    public func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) throws -> [BulkLoad] {
        guard let parts = IptablesIpsetArtifact(text: artifact.text) else {
            throw LabFailure("iptables-ipset: the artifact is not an ipset section followed by an iptables section")
        }
        let sets = parts.ipset.isEmpty ? [] : [BulkLoad(tool: "ipset", arguments: ["restore"], input: parts.ipset)]
        return sets + [try chain.install(parts.iptables, at: point)]
    }

    /// Both loads, timed together: the policy is in force only once both ran. A failure removes
    /// whatever got in (ipset restore is not transactional: the lines before a bad one stay).
    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> any Installation {
        try NetfilterSupport.check(policy, at: point, for: kind)
        let loads = try installLoads(artifact, at: point)
        var gates = try chain.gates(in: point.namespace, at: point)
        gates.merge(try NetfilterSupport.conntrackGates(policy, at: point)) { $1 }
        gates["ipset_version"] = ToolVersion(try NetfilterQuery.run("ipset", ["--version"], in: point.namespace)).version
        do {
            let milliseconds = try KernelFeatureGap.unsupported(kind) { try loads.reduce(0) { $0 + (try $1.run(in: point.namespace)) } }
            return try IptablesIpsetInstallation(backend: self, point: point, policy: policy, layout: layout(policy), gates: gates,
                                             installMilliseconds: milliseconds)
        } catch {
            try? remove(at: point)
            throw error
        }
    }

    /// The iptables side first (a set still referenced by a rule cannot be destroyed), then every
    /// set of this instance found in the namespace. Needs no memory of an install; idempotent.
    public func remove(at point: FilterPoint) throws {
        try chain.remove(at: point)
        let names = try NetfilterQuery.run("ipset", ["list", "-n"], in: point.namespace)
            .split(whereSeparator: \.isNewline).map(String.init)
            .filter { $0.hasPrefix(IpsetRestoreFile.namePrefix(tag: tag)) }
        if !names.isEmpty {
            try BulkLoad(tool: "ipset", arguments: ["restore"], input: names.map { "destroy \($0)\n" }.joined())
                .run(in: point.namespace)
        }
    }

    var policyChain: IptablesPolicyChain { chain }
}

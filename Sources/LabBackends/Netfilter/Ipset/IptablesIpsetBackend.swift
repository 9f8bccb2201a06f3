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
public final class IptablesIpsetBackend: FilterBackend {
    /// Distinguishes this instance's sets from any other in a namespace; fixed for golden tests.
    public let tag: String
    private let chain = IptablesPolicyChain(variant: .nft)
    /// The chain as installed (and updated) per namespace, to decide where an update lands.
    private var installed: [String: ChainLayout] = [:]
    public private(set) var gates: [String: String] = [:]

    public init(tag: String = LabNames.newID()) {
        precondition(!tag.isEmpty && tag.utf8.count <= 12, "an ipset tag has 1 to 12 characters")
        self.tag = tag
    }

    public var kind: BackendKind { .iptablesIpset }

    func layout(_ policy: Policy) -> ChainLayout {
        .withSets(policy) { IpsetRestoreFile.setName(tag: tag, clause: $0.index) }
    }

    /// Chain rules plus hash:net elements (ipset does not merge).
    public func installedEntries(policy: Policy) throws -> Int? {
        let layout = layout(policy)
        return layout.rules.count + layout.sets.reduce(0) { $0 + $1.prefixes.count }
    }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        try NetfilterSupport.check(policy, for: kind)
        let layout = layout(policy)
        let comment = [
            "benchlab iptables-ipset: \(policy.rules.count) rules in \(layout.rules.count) chain rules, \(layout.sets.count) sets, default \(policy.defaultAction.rawValue)",
            "install adds -A <FORWARD|INPUT> -i <ingress> -j \(IptablesRestoreFile.chain) before COMMIT",
        ]
        let artifact = IptablesIpsetArtifact(ipset: IpsetRestoreFile.restoreText(layout.sets),
                                             iptables: IptablesRestoreFile.policyChain(layout, comment: comment))
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
    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> Double {
        try NetfilterSupport.check(policy, for: kind)
        guard installed[point.namespace] == nil else {
            throw LabFailure("iptables-ipset: already installed in \(point.namespace); remove it first")
        }
        let loads = try installLoads(artifact, at: point)
        gates = try chain.gates(in: point.namespace)
        gates["ipset_version"] = ToolVersion(try NetfilterQuery.run("ipset", ["--version"], in: point.namespace)).version
        do {
            let milliseconds = try loads.reduce(0) { $0 + (try $1.run(in: point.namespace)) }
            installed[point.namespace] = layout(policy)
            return milliseconds
        } catch {
            try? remove(at: point)
            throw error
        }
    }

    /// One `ipset add` when the rule can join a set without changing any verdict (same action,
    /// destination, protocol and ports as a set rule with only same-action rules before it, see
    /// `ChainLayout.setAccepting`) — the update an ipset user makes all day, O(1) whatever the set
    /// size. Anything else is one iptables rule in front of the chain.
    public func update(adding rule: Rule, at point: FilterPoint) throws -> Double {
        guard let layout = installed[point.namespace] else {
            throw LabFailure("iptables-ipset: update in \(point.namespace) before install")
        }
        let new = NetfilterRule(rule)
        if let target = layout.setAccepting(new), case .prefix(let prefix) = new.source {
            // -exist: a prefix already in the set is already enforced; adding it again is no change.
            let milliseconds = try BulkLoad(tool: "ipset", arguments: ["-exist", "add", target.name, "\(prefix)"], input: "")
                .run(in: point.namespace)
            installed[point.namespace] = layout.extendingSet(at: target.index, with: prefix)
            return milliseconds
        }
        let milliseconds = try chain.insert(new).run(in: point.namespace)
        installed[point.namespace] = layout.inserting(new)
        return milliseconds
    }

    /// The iptables side first (a set still referenced by a rule cannot be destroyed), then every
    /// set of this instance found in the namespace.
    public func remove(at point: FilterPoint) throws {
        try chain.remove(at: point)
        let names = try NetfilterQuery.run("ipset", ["list", "-n"], in: point.namespace)
            .split(whereSeparator: \.isNewline).map(String.init)
            .filter { $0.hasPrefix(IpsetRestoreFile.namePrefix(tag: tag)) }
        if !names.isEmpty {
            try BulkLoad(tool: "ipset", arguments: ["restore"], input: names.map { "destroy \($0)\n" }.joined())
                .run(in: point.namespace)
        }
        installed[point.namespace] = nil
    }

    public func counters(at point: FilterPoint) throws -> FilterCounters {
        try chain.counters(at: point)
    }
}

import LabNetwork
import LabPolicy
import LabSystem
import LabTopology

/// Native nftables: one table, one atomic `nft -f -` transaction. Clauses with several source
/// prefixes match an interval set (one lookup, whatever its size); the rest are plain rules in
/// policy order. Install and update are timed around `nft -f`, the path every nftables user takes:
/// libnftables parses the script and sends one netlink batch, so the time includes what an operator
/// waits for (parsing, set element sorting and merging, the kernel commit) and nothing else. A
/// hand-written libnftnl batch would skip the parser, which no operator does.
public final class NftablesBackend: FilterBackend {
    private var installed: [String: ChainLayout] = [:]
    public private(set) var gates: [String: String] = [:]

    public init() {}

    public var kind: BackendKind { .nftables }

    func layout(_ policy: Policy) -> ChainLayout {
        .withSets(policy) { NftablesScript.setName(clause: $0.index) }
    }

    /// Chain rules plus set intervals as auto-merge leaves them: a dense prefix list collapses.
    public func installedEntries(policy: Policy) throws -> Int? {
        let layout = layout(policy)
        return layout.rules.count + layout.sets.reduce(0) { $0 + IPv4Prefix.mergedIntervalCount($1.prefixes) }
    }

    public func compile(_ policy: Policy) throws -> BackendArtifact {
        try NetfilterSupport.check(policy, for: kind)
        let layout = layout(policy)
        let comment = [
            "benchlab nftables: \(policy.rules.count) rules in \(layout.rules.count) chain rules, \(layout.sets.count) sets, default \(policy.defaultAction.rawValue)",
            "load: nft -f -; install adds the base chain \(NftablesScript.hookChain) (hook forward or input, iifname <ingress> jump \(NftablesScript.policyChain))",
        ]
        return BackendArtifact(kind: "nft", text: NftablesScript.policy(layout, comment: comment))
    }

    /// The exact load `install` runs: the policy and its base chain in one transaction.
    public func installLoads(_ artifact: BackendArtifact, at point: FilterPoint) -> [BulkLoad] {
        [Self.nft(artifact.text + NftablesScript.attachment(at: point))]
    }

    static func nft(_ script: String) -> BulkLoad { BulkLoad(tool: "nft", arguments: ["-f", "-"], input: script) }

    public func install(_ artifact: BackendArtifact, policy: Policy, at point: FilterPoint) throws -> Double {
        try NetfilterSupport.check(policy, for: kind)
        guard installed[point.namespace] == nil else {
            throw LabFailure("nftables: already installed in \(point.namespace); remove it first")
        }
        let version = ToolVersion(try NetfilterQuery.run("nft", ["--version"], in: point.namespace))
        gates = ["nft_version": version.version ?? "unknown", "nft_family": NftablesScript.family]
        let milliseconds = try installLoads(artifact, at: point).reduce(0) { $0 + (try $1.run(in: point.namespace)) }
        installed[point.namespace] = layout(policy)
        return milliseconds
    }

    /// One element added to a set when the rule can join it without changing any verdict (see
    /// `ChainLayout.setAccepting`), else one rule inserted at the start of the policy chain; either
    /// way one `nft -f` transaction. With auto-merge, nft reads the set back to merge the new
    /// interval, so an element add costs more than a rule insert on a big set: the time shows it.
    public func update(adding rule: Rule, at point: FilterPoint) throws -> Double {
        guard let layout = installed[point.namespace] else {
            throw LabFailure("nftables: update in \(point.namespace) before install")
        }
        let new = NetfilterRule(rule)
        if let target = layout.setAccepting(new), case .prefix(let prefix) = new.source {
            let milliseconds = try Self.nft(NftablesScript.elementAddition(set: target.name, prefix)).run(in: point.namespace)
            installed[point.namespace] = layout.extendingSet(at: target.index, with: prefix)
            return milliseconds
        }
        let milliseconds = try Self.nft(NftablesScript.insertion(new)).run(in: point.namespace)
        installed[point.namespace] = layout.inserting(new)
        return milliseconds
    }

    public func remove(at point: FilterPoint) throws {
        try Self.nft(NftablesScript.removal).run(in: point.namespace)
        installed[point.namespace] = nil
    }

    public func counters(at point: FilterPoint) throws -> FilterCounters {
        let json = try NetfilterQuery.run("nft", ["-j", "list", "chain", NftablesScript.family, NftablesScript.table,
                                                  NftablesScript.policyChain], in: point.namespace)
        let packets = try NftablesCounterReader.packetsByVerdict(json)
        return FilterCounters(allowedPackets: packets.accepted, deniedPackets: packets.dropped)
    }
}

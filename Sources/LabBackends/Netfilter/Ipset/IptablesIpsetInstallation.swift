import LabConntrack
import LabNetlink
import LabPolicy
import LabTopology

/// The ipset sets and the BLPOLICY chain of one iptables-ipset install, with the layout as installed
/// and updated so far (an update decides from it whether a rule can join a set).
final class IptablesIpsetInstallation: Installation {
    let owner: IptablesIpsetBackend
    let point: FilterPoint
    let enforcedPolicy: Policy
    let gates: [String: String]
    let installMilliseconds: Double?
    /// nf_conntrack of the namespace, for a stateful policy.
    let tracker: (any ConnectionTracker)?
    private var layout: ChainLayout

    init(backend owner: IptablesIpsetBackend, point: FilterPoint, policy: Policy, layout: ChainLayout,
         gates: [String: String], installMilliseconds: Double) throws {
        self.owner = owner
        self.point = point
        self.enforcedPolicy = policy
        self.layout = layout
        self.gates = gates
        self.installMilliseconds = installMilliseconds
        tracker = try NfConntrackTracker.forInstallation(of: policy, in: point.namespace)
    }

    var backend: BackendKind { .iptablesIpset }

    /// One `ipset add` when the rule can join a set without changing any verdict (same action,
    /// destination, protocol and ports as a set rule with only same-action rules before it, see
    /// `ChainLayout.setAccepting`) — the update an ipset user makes all day, O(1) whatever the set
    /// size. Anything else is one iptables rule in front of the chain.
    func update(adding rule: Rule) throws -> Double? {
        let new = NetfilterRule(rule)
        if let target = layout.setAccepting(new), case .prefix(let prefix) = new.source {
            // -exist: a prefix already in the set is already enforced; adding it again is no change.
            let milliseconds = try BulkLoad(tool: "ipset", arguments: ["-exist", "add", target.name, "\(prefix)"], input: "")
                .run(in: point.namespace)
            layout = layout.extendingSet(at: target.index, with: prefix)
            return milliseconds
        }
        let milliseconds = try owner.policyChain.insert(new).run(in: point.namespace)
        layout = layout.inserting(new)
        return milliseconds
    }

    func counters() throws -> FilterCounters {
        try owner.policyChain.counters(at: point)
    }

    /// Chain rules plus hash:net elements (ipset does not merge), in the layout as installed and updated.
    func installedEntries() throws -> Int? {
        layout.rules.count + layout.sets.reduce(0) { $0 + $1.prefixes.count }
    }

    func remove() throws {
        tracker?.stop()
        try owner.remove(at: point)
    }
}

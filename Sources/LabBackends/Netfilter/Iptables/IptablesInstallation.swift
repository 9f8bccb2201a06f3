import LabConntrack
import LabNetlink
import LabPolicy
import LabTopology

/// The linear BLPOLICY chain installed in one namespace.
final class IptablesInstallation: Installation {
    let chain: IptablesPolicyChain
    let point: FilterPoint
    let enforcedPolicy: Policy
    let gates: [String: String]
    let installMilliseconds: Double?
    /// nf_conntrack of the namespace, for a stateful policy.
    let tracker: (any ConnectionTracker)?

    init(chain: IptablesPolicyChain, point: FilterPoint, policy: Policy, gates: [String: String], installMilliseconds: Double) throws {
        self.chain = chain
        self.point = point
        self.enforcedPolicy = policy
        self.gates = gates
        self.installMilliseconds = installMilliseconds
        tracker = try NfConntrackTracker.forInstallation(of: policy, in: point.namespace)
    }

    var backend: BackendKind { chain.backendKind }

    /// `-I BLPOLICY 1` through the same restore path. Legacy rebuilds and swaps the whole table blob
    /// for it, so its cost grows with the table; iptables-nft sends one rule.
    func update(adding rule: Rule) throws -> Double? {
        try chain.insert(NetfilterRule(rule)).run(in: point.namespace)
    }

    func counters() throws -> FilterCounters {
        try chain.counters(at: point)
    }

    /// One chain rule per policy rule: the linear chain every packet walks.
    func installedEntries() throws -> Int? {
        ChainLayout.linear(enforcedPolicy).rules.count
    }

    func remove() throws {
        tracker?.stop()
        try chain.remove(at: point)
    }
}

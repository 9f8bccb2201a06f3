import LabConntrack
import LabNetlink
import LabPolicy
import LabTopology

/// The source NAT of a netfilter SNAT installation, counted the netfilter way:
///   - `flowsTranslated`: the nat chain's rule counters (one packet per new flow);
///   - `droppedUnselected`: the filter chain's drop counters;
///   - `allocationFailures`: nf_conntrack's `insert_failed` in the gateway namespace since install
///     (ctnetlink per-CPU statistics). When no free port is left, nf_nat keeps the last tuple it
///     tried; the clash is found when the entry is confirmed, and 6.18 counts that one event in both
///     insert_failed and drop (measured: 102 refused connections, 102 of each), so only
///     insert_failed is taken;
///   - `liveMappings`: the namespace's conntrack *table count*, not a count of entries with
///     SRC_NAT status: reading the status means dumping and decoding every entry, which LabNetlink
///     does not do. At a gateway the two agree closely: the lab's only forwarded flows are pod flows,
///     every accepted one is translated, and dropped ones are never confirmed into the table; the
///     gateway's own traffic (none in the lab) would be counted too.
///   - `retries`: nil; nf_nat does not count its probes.
final class NetfilterSNATTranslator: AddressTranslator {
    let ruleset: any SNATRuleset
    let point: FilterPoint
    /// The policy as installed and extended by `add`.
    private(set) var policy: SNATPolicy
    private(set) var layout: SNATLayout
    private let conntrack: ConntrackStatsReader
    private let baseline: [String: UInt64]

    init(ruleset: any SNATRuleset, point: FilterPoint, policy: SNATPolicy) throws {
        self.ruleset = ruleset
        self.point = point
        self.policy = policy
        layout = SNATLayout(policy)
        conntrack = try ConntrackStatsReader(namespace: point.namespace)
        baseline = ConntrackCPUStatistics.sum(try conntrack.perCPU())
    }

    func statistics() throws -> SNATStatistics {
        let counters = try ruleset.counters(at: point)
        let now = ConntrackCPUStatistics.sum(try conntrack.perCPU())
        let value = now["insert_failed"] ?? 0, before = baseline["insert_failed"] ?? 0
        let failures = value >= before ? value - before : value
        return SNATStatistics(flowsTranslated: counters.translated, allocationFailures: failures,
                              droppedUnselected: counters.dropped, liveMappings: try conntrack.tableCount().entries)
    }

    /// One load through the front end's atomic path; the rule goes in front of both chains.
    func add(_ rule: EgressRule) throws -> Double {
        let milliseconds = try ruleset.insertion(layout.entry(rule), layout: layout).run(in: point.namespace)
        policy.egress.insert(rule, at: 0)
        layout.entries.insert(layout.entry(rule), at: 0)
        return milliseconds
    }
}

import LabConntrack
import LabNetlink
import LabPolicy
import LabTopology

/// An SNAT policy installed at an egress gateway by iptables (either front end) or nftables: the
/// filter and nat chains of its `ruleset`, the namespace's nf_conntrack as its tracker (NAT tracks
/// every flow), and the translator the SNAT workloads read.
final class NetfilterSNATInstallation: Installation {
    let point: FilterPoint
    let gates: [String: String]
    let installMilliseconds: Double?
    let tracker: (any ConnectionTracker)?
    private let nat: NetfilterSNATTranslator
    private let installed: Policy

    init(ruleset: any SNATRuleset, point: FilterPoint, policy: Policy, gates: [String: String], installMilliseconds: Double) throws {
        self.point = point
        // The scenario's conntrack timeouts are the NAT flows' lifetimes, as for the BPF NAT.
        self.gates = gates.merging(try NetfilterSupport.conntrackGates(policy, at: point)) { $1 }
        self.installMilliseconds = installMilliseconds
        installed = policy
        nat = try NetfilterSNATTranslator(ruleset: ruleset, point: point, policy: policy.snat!)
        tracker = try NfConntrackTracker(namespace: point.namespace)
    }

    var backend: BackendKind { nat.ruleset.backendKind }
    var translator: (any AddressTranslator)? { nat }

    /// The installed policy with the egress rules added since.
    var enforcedPolicy: Policy {
        var policy = installed
        policy.snat = nat.policy
        return policy
    }

    func update(adding rule: Rule) throws -> Double? {
        throw BackendUnsupported(backend, "an SNAT installation has no filter rules to add \(rule) to; "
                                 + "egress rules are added through its translator")
    }

    /// The filter chain's verdicts: packets let out through the gateway and packets dropped there.
    func counters() throws -> FilterCounters {
        let counters = try nat.ruleset.counters(at: point)
        return FilterCounters(allowedPackets: counters.accepted, deniedPackets: counters.dropped)
    }

    func installedEntries() throws -> Int? { nat.ruleset.ruleCount(nat.layout) }

    func remove() throws {
        tracker?.stop()
        try nat.ruleset.remove(at: point)
    }
}

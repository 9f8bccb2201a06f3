import LabTopology

/// Where in the iptables pipeline the policy chain is hooked: the rungs of the "where to drop a
/// flood" ladder that iptables offers. The chain itself is the same linear BLPOLICY in every case;
/// only its table, the built-in chain that jumps to it and (for `filterNotrack`) a NOTRACK rule differ.
public enum IptablesPlacement: String, Sendable, CaseIterable {
    /// filter FORWARD or INPUT, as the topology has it: after conntrack and routing.
    case filter
    /// raw PREROUTING: before conntrack and before the routing decision, so a dropped packet costs
    /// neither a conntrack lookup nor a route lookup.
    case raw
    /// filter FORWARD/INPUT as `filter`, plus `raw PREROUTING -i <ingress> -j CT --notrack`: the drop
    /// still happens in filter, but the packets it sees were never tracked (Cloudflare's "disable
    /// conntrack" rung). xt_CT's checkentry enables conntrack in the namespace, so replies arriving on
    /// other interfaces are tracked; only the ingress side is exempt.
    case filterNotrack

    /// The table holding the policy chain.
    var table: String { self == .raw ? "raw" : "filter" }

    /// The built-in chain that jumps to the policy chain at `point`.
    func hookChain(_ point: FilterPoint) -> String {
        switch self {
        case .raw: return "PREROUTING"
        case .filter, .filterNotrack: return point.hook == .forward ? "FORWARD" : "INPUT"
        }
    }

    /// For the artifact's comment: the hook chain before the point is known.
    var hookChainSummary: String { self == .raw ? "PREROUTING" : "<FORWARD|INPUT>" }

    /// The raw-table rule exempting the ingress side from conntrack, without its `-A`/`-D`; nil
    /// when the placement tracks as usual.
    func notrackSpecification(_ point: FilterPoint) -> String? {
        self == .filterNotrack ? "PREROUTING -i \(point.ingressInterface) -j CT --notrack" : nil
    }

    /// Whether a stateful policy can be placed here: raw sees packets before conntrack has looked at
    /// them (no state to match), and NOTRACK removes the state the policy would need.
    var supportsState: Bool { self == .filter }

    /// The `drop_point` gate: where a denied packet ends, in a reader's words.
    func dropPoint(_ point: FilterPoint) -> String {
        switch self {
        case .filter: return "iptables filter \(hookChain(point))"
        case .raw: return "iptables raw PREROUTING"
        case .filterNotrack: return "iptables filter \(hookChain(point)), raw NOTRACK"
        }
    }
}

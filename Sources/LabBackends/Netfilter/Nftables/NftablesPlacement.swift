import LabTopology

/// Where the nftables backend hooks its base chain: the rungs of the drop-point ladder nftables
/// offers. The table, its sets and the policy chain are the same at each; only the table's family
/// and the base chain differ.
public enum NftablesPlacement: String, Sendable, CaseIterable {
    /// `ip` family, hook forward or input (as the topology has it), priority filter (0).
    case filter
    /// `ip` family, hook prerouting, priority raw (-300): before conntrack (-200) and routing.
    case prerouting
    /// `netdev` family, hook ingress on the ingress device, priority -500: right after the driver
    /// hands the frame up (after tc ingress, before any IP processing). A netdev chain sees every
    /// frame, ARP included, so only IPv4 (`meta protocol ip`) jumps to the policy: a default-deny
    /// policy must not drop ARP. nft adds the protocol dependency to each `ip`/`udp`/`tcp` match itself.
    case ingress

    /// The table's family.
    var family: String { self == .ingress ? "netdev" : "ip" }

    /// The base chain's `type … hook … priority …` line at `point`.
    func hookLine(_ point: FilterPoint) -> String {
        switch self {
        case .filter: return "type filter hook \(point.hook == .forward ? "forward" : "input") priority filter; policy accept;"
        case .prerouting: return "type filter hook prerouting priority raw; policy accept;"
        case .ingress: return "type filter hook ingress device \"\(point.ingressInterface)\" priority -500; policy accept;"
        }
    }

    /// The base chain's one rule: what of the traffic at the hook goes to the policy. An ip-family
    /// hook sees every interface, so it picks the ingress one; a netdev chain is bound to it already.
    func jumpRule(_ point: FilterPoint, to chain: String) -> String {
        self == .ingress ? "meta protocol ip jump \(chain)" : "iifname \"\(point.ingressInterface)\" jump \(chain)"
    }

    /// For the artifact's comment: the base chain before the point is known.
    var hookSummary: String {
        switch self {
        case .filter: return "hook forward or input, iifname <ingress>"
        case .prerouting: return "hook prerouting priority raw, iifname <ingress>"
        case .ingress: return "netdev hook ingress device <ingress> priority -500, meta protocol ip"
        }
    }

    var backendKind: BackendKind {
        switch self {
        case .filter: return .nftables
        case .prerouting: return .nftablesPrerouting
        case .ingress: return .nftablesIngress
        }
    }

    /// Connection state exists only after conntrack (priority -200) has seen the packet.
    var supportsState: Bool { self == .filter }

    /// The `drop_point` gate.
    func dropPoint(_ point: FilterPoint) -> String {
        switch self {
        case .filter: return "nftables filter hook \(point.hook == .forward ? "forward" : "input") priority 0"
        case .prerouting: return "nftables prerouting priority raw (-300)"
        case .ingress: return "nftables netdev ingress"
        }
    }
}

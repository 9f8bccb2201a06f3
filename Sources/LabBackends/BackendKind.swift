import LabResults

/// The backends, named as in scenario files and on the command line, each with its family declared
/// once here: run.json records the family beside the name, and the report and `compare` read it
/// from there.
public enum BackendKind: String, Sendable, CaseIterable, Equatable, Hashable {
    case none
    case iptablesLegacy = "iptables-legacy"
    case iptablesNft = "iptables-nft"
    case iptablesIpset = "iptables-ipset"
    case nftables
    /// The drop-point ladder's netfilter rungs (issue 11): the same stateless policy hooked earlier in
    /// the receive path. A linear iptables-legacy chain in raw PREROUTING (before conntrack and
    /// routing); that chain in filter with the ingress side exempt from conntrack (`CT --notrack`);
    /// the nftables ruleset at prerouting priority raw; and in a netdev ingress chain.
    case iptablesRaw = "iptables-raw"
    case iptablesNotrack = "iptables-notrack"
    case nftablesPrerouting = "nftables-prerouting"
    case nftablesIngress = "nftables-ingress"
    case xdp
    case tc
    /// The stateful filter (bpf/ct_filter.bpf.c) with the lab's tracker in an LRU hash or in a plain
    /// hash swept by a collector, as XDP or tc: one backend name per (hook, tracker).
    case xdpCtLRU = "xdp-ct-lru"
    case tcCtLRU = "tc-ct-lru"
    case xdpCtSwept = "xdp-ct-swept"
    case tcCtSwept = "tc-ct-swept"
    /// The stateful filter asking nf_conntrack from BPF (conntrack kfuncs), where the kernel has them.
    case xdpCtKfunc = "xdp-ct-kfunc"
    case tcCtKfunc = "tc-ct-kfunc"
    /// Source NAT in BPF on tc at the gateway's egress interface (bpf/snat.bpf.c), with the lab's own
    /// NAT map tied to its tracker: an SNAT policy only.
    case tcSnat = "tc-snat"
    /// The same NAT in plain hashes that the swept tracker's collector reclaims (expired mappings
    /// leave when it sweeps them, as the tracker's entries do), instead of LRU maps the kernel evicts.
    case tcSnatSwept = "tc-snat-swept"

    public var family: BackendFamily {
        switch self {
        case .none: return .baseline
        case .iptablesLegacy, .iptablesNft, .iptablesIpset, .nftables, .iptablesRaw, .iptablesNotrack, .nftablesPrerouting,
             .nftablesIngress: return .netfilter
        case .xdp, .tc, .xdpCtLRU, .tcCtLRU, .xdpCtSwept, .tcCtSwept, .xdpCtKfunc, .tcCtKfunc, .tcSnat, .tcSnatSwept: return .ebpf
        }
    }

    /// Whether the backend tracks connections and so needs a stateful policy (and refuses a stateless one).
    /// Whether the backend only translates addresses (an SNAT policy) and refuses a filter policy.
    public var onlyTranslates: Bool { self == .tcSnat || self == .tcSnatSwept }

    public var tracksConnections: Bool {
        switch self {
        case .xdpCtLRU, .tcCtLRU, .xdpCtSwept, .tcCtSwept, .xdpCtKfunc, .tcCtKfunc: return true
        default: return false
        }
    }
}

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
    case xdp
    case tc

    public var family: BackendFamily {
        switch self {
        case .none: return .baseline
        case .iptablesLegacy, .iptablesNft, .iptablesIpset, .nftables: return .netfilter
        case .xdp, .tc: return .ebpf
        }
    }
}
